import { memo } from 'react';
import { BYTES_PER_LINE, byteChar, byteHex, offsetHex } from './bytes';

export interface HotRange {
  readonly start: number;
  readonly end: number;
}

interface Props {
  readonly bytes: readonly number[];
  /** Which field each byte belongs to (-1: none). */
  readonly fieldAt: Int32Array;
  /** Which fields are masked (their bytes are '*'). */
  readonly maskedFields: ReadonlySet<number>;
  readonly hot: HotRange | null;
  readonly onHoverByte: (offset: number | null) => void;
}

/** The kept bytes, 16 a line with the offset at the left and the printable characters at the right. */
export const HexDump = memo(function HexDump({ bytes, fieldAt, maskedFields, hot, onHoverByte }: Props) {
  const lines: number[] = [];
  for (let o = 0; o < bytes.length; o += BYTES_PER_LINE) lines.push(o);
  const isHot = (o: number) => hot !== null && o >= hot.start && o < hot.end;
  const cls = (base: string, o: number) => {
    let c = base;
    if (maskedFields.has(fieldAt[o] ?? -1)) c += ' is-masked';
    if (isHot(o)) c += ' is-hot';
    return c;
  };
  return (
    <div className="fb-hex" data-testid="hex-dump" onMouseLeave={() => onHoverByte(null)}>
      {lines.map((start) => {
        const line = bytes.slice(start, start + BYTES_PER_LINE);
        return (
          <div className="fb-hex-line" key={start}>
            <span className="fb-hex-offset">{offsetHex(start)}</span>
            <span>
              {line.map((b, i) => {
                const o = start + i;
                return (
                  <span key={o} data-testid="hex-byte" data-offset={o} className={cls('fb-hex-byte', o)} onMouseEnter={() => onHoverByte(o)}>
                    {byteHex(b)}
                  </span>
                );
              })}
              {line.length < BYTES_PER_LINE ? <span style={{ display: 'inline-block', width: `${(BYTES_PER_LINE - line.length) * 2.6 + (line.length <= 8 ? 1 : 0)}ch` }} /> : null}
            </span>
            <span className="fb-hex-ascii" aria-hidden>
              {line.map((b, i) => (
                <span key={start + i} className={cls('fb-hex-char', start + i)} onMouseEnter={() => onHoverByte(start + i)}>
                  {byteChar(b)}
                </span>
              ))}
            </span>
          </div>
        );
      })}
    </div>
  );
});
