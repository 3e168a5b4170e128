const fcc = String.fromCharCode;

/**
 * Bytes (all < 0x80) as a string. Short fields are the common case in telegrams (codes, dates, 전문번호);
 * for them explicit String.fromCharCode is several times faster than a Buffer slice, which crosses into C++.
 */
export function asciiString(b: Uint8Array, from: number, to: number): string {
  switch (to - from) {
    case 0:
      return '';
    case 1:
      return fcc(b[from]!);
    case 2:
      return fcc(b[from]!, b[from + 1]!);
    case 3:
      return fcc(b[from]!, b[from + 1]!, b[from + 2]!);
    case 4:
      return fcc(b[from]!, b[from + 1]!, b[from + 2]!, b[from + 3]!);
    case 5:
      return fcc(b[from]!, b[from + 1]!, b[from + 2]!, b[from + 3]!, b[from + 4]!);
    case 6:
      return fcc(b[from]!, b[from + 1]!, b[from + 2]!, b[from + 3]!, b[from + 4]!, b[from + 5]!);
    default:
      return Buffer.prototype.latin1Slice.call(b, from, to);
  }
}

/** UTF-16 code units [0, n) as a string; the short case without a subarray (see {@link asciiString}). */
export function unitsString(u: Uint16Array, n: number): string {
  switch (n) {
    case 1:
      return fcc(u[0]!);
    case 2:
      return fcc(u[0]!, u[1]!);
    case 3:
      return fcc(u[0]!, u[1]!, u[2]!);
    case 4:
      return fcc(u[0]!, u[1]!, u[2]!, u[3]!);
    case 5:
      return fcc(u[0]!, u[1]!, u[2]!, u[3]!, u[4]!);
    case 6:
      return fcc(u[0]!, u[1]!, u[2]!, u[3]!, u[4]!, u[5]!);
    default:
      return fcc.apply(null, u.subarray(0, n) as unknown as number[]);
  }
}
