const fcc = String.fromCharCode;

/**
 * Bytes (all < 0x80) as a string. Short fields are the common case in telegrams (codes, dates, 전문번호,
 * account numbers); up to 16 bytes an explicit String.fromCharCode call is three to four times faster
 * than a Buffer slice, which crosses into C++ (about 10 ns against 37 ns here).
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
    case 7:
      return fcc(b[from]!, b[from + 1]!, b[from + 2]!, b[from + 3]!, b[from + 4]!, b[from + 5]!, b[from + 6]!);
    case 8:
      return fcc(b[from]!, b[from + 1]!, b[from + 2]!, b[from + 3]!, b[from + 4]!, b[from + 5]!, b[from + 6]!, b[from + 7]!);
    case 9:
      return fcc(b[from]!, b[from + 1]!, b[from + 2]!, b[from + 3]!, b[from + 4]!, b[from + 5]!, b[from + 6]!, b[from + 7]!, b[from + 8]!);
    case 10:
      return fcc(b[from]!, b[from + 1]!, b[from + 2]!, b[from + 3]!, b[from + 4]!, b[from + 5]!, b[from + 6]!, b[from + 7]!, b[from + 8]!, b[from + 9]!);
    case 11:
      return fcc(b[from]!, b[from + 1]!, b[from + 2]!, b[from + 3]!, b[from + 4]!, b[from + 5]!, b[from + 6]!, b[from + 7]!, b[from + 8]!, b[from + 9]!, b[from + 10]!);
    case 12:
      return fcc(b[from]!, b[from + 1]!, b[from + 2]!, b[from + 3]!, b[from + 4]!, b[from + 5]!, b[from + 6]!, b[from + 7]!, b[from + 8]!, b[from + 9]!, b[from + 10]!, b[from + 11]!);
    case 13:
      return fcc(b[from]!, b[from + 1]!, b[from + 2]!, b[from + 3]!, b[from + 4]!, b[from + 5]!, b[from + 6]!, b[from + 7]!, b[from + 8]!, b[from + 9]!, b[from + 10]!, b[from + 11]!, b[from + 12]!);
    case 14:
      return fcc(b[from]!, b[from + 1]!, b[from + 2]!, b[from + 3]!, b[from + 4]!, b[from + 5]!, b[from + 6]!, b[from + 7]!, b[from + 8]!, b[from + 9]!, b[from + 10]!, b[from + 11]!, b[from + 12]!, b[from + 13]!);
    case 15:
      return fcc(b[from]!, b[from + 1]!, b[from + 2]!, b[from + 3]!, b[from + 4]!, b[from + 5]!, b[from + 6]!, b[from + 7]!, b[from + 8]!, b[from + 9]!, b[from + 10]!, b[from + 11]!, b[from + 12]!, b[from + 13]!, b[from + 14]!);
    case 16:
      return fcc(b[from]!, b[from + 1]!, b[from + 2]!, b[from + 3]!, b[from + 4]!, b[from + 5]!, b[from + 6]!, b[from + 7]!, b[from + 8]!, b[from + 9]!, b[from + 10]!, b[from + 11]!, b[from + 12]!, b[from + 13]!, b[from + 14]!, b[from + 15]!);
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
    case 7:
      return fcc(u[0]!, u[1]!, u[2]!, u[3]!, u[4]!, u[5]!, u[6]!);
    case 8:
      return fcc(u[0]!, u[1]!, u[2]!, u[3]!, u[4]!, u[5]!, u[6]!, u[7]!);
    case 9:
      return fcc(u[0]!, u[1]!, u[2]!, u[3]!, u[4]!, u[5]!, u[6]!, u[7]!, u[8]!);
    case 10:
      return fcc(u[0]!, u[1]!, u[2]!, u[3]!, u[4]!, u[5]!, u[6]!, u[7]!, u[8]!, u[9]!);
    case 11:
      return fcc(u[0]!, u[1]!, u[2]!, u[3]!, u[4]!, u[5]!, u[6]!, u[7]!, u[8]!, u[9]!, u[10]!);
    case 12:
      return fcc(u[0]!, u[1]!, u[2]!, u[3]!, u[4]!, u[5]!, u[6]!, u[7]!, u[8]!, u[9]!, u[10]!, u[11]!);
    case 13:
      return fcc(u[0]!, u[1]!, u[2]!, u[3]!, u[4]!, u[5]!, u[6]!, u[7]!, u[8]!, u[9]!, u[10]!, u[11]!, u[12]!);
    case 14:
      return fcc(u[0]!, u[1]!, u[2]!, u[3]!, u[4]!, u[5]!, u[6]!, u[7]!, u[8]!, u[9]!, u[10]!, u[11]!, u[12]!, u[13]!);
    case 15:
      return fcc(u[0]!, u[1]!, u[2]!, u[3]!, u[4]!, u[5]!, u[6]!, u[7]!, u[8]!, u[9]!, u[10]!, u[11]!, u[12]!, u[13]!, u[14]!);
    case 16:
      return fcc(u[0]!, u[1]!, u[2]!, u[3]!, u[4]!, u[5]!, u[6]!, u[7]!, u[8]!, u[9]!, u[10]!, u[11]!, u[12]!, u[13]!, u[14]!, u[15]!);
    default:
      return fcc.apply(null, u.subarray(0, n) as unknown as number[]);
  }
}
