import type { Charset } from '../encoding/charset.js';
import type { MessageSpec } from '../spec/types.js';
import { digitsValue, isBlank, trimEnd, validDate } from './record-bytes.js';

/**
 * True when every field of the record at `base` would decode; nothing is allocated for ASCII text.
 * `ascii`: the caller knows every byte of `b` is below 0x80 (then no text field needs looking at).
 */
export type RecordValidator = (b: Uint8Array, base: number, ascii: boolean) => boolean;

/**
 * Checks a record the way the codec's decode would, without building its fields: the codec's decode
 * creates an object, strings and a Decimal per amount for every record, which is most of the cost of
 * reading a million-record file whose records we only map a few fields of. On `false` the caller runs the
 * codec's decode for the precise error (field, offset, byte context); the rules here are the codec's
 * (src/codec/field-codec.ts): digits or all spaces, calendar dates or all zeros, times of day, signs, and
 * text that is valid in the charset. Key fields were matched before, fillers are never read.
 *
 * Generated once per message as straight-line code (as src/codec/compile-message.ts does, for the same
 * reason: a loop over field descriptors costs several times the checks themselves). Only offsets and
 * lengths — numbers from the loaded spec — reach the generated source.
 */
export function compileValidator(message: MessageSpec, charset: Charset): RecordValidator {
  const lines: string[] = [];
  const texts: string[] = [];
  for (const f of message.layout) {
    if (f.type === 'filler' || message.key[f.name] !== undefined) continue;
    const from = `base + ${f.offset}`;
    const to = `base + ${f.offset + f.length}`;
    switch (f.type) {
      case 'N':
      case 'amount':
        lines.push(`if (${notDigits(f.offset, f.length)} && !isBlank(b, ${from}, ${to})) return false;`);
        break;
      case 'date':
        lines.push(`if (${notDigits(f.offset, 8)}) { if (!isBlank(b, ${from}, ${to})) return false; } else if (!dateOk(b, ${from})) return false;`);
        break;
      case 'time':
        lines.push(`if (${notDigits(f.offset, 6)}) { if (!isBlank(b, ${from}, ${to})) return false; } else if (!timeOk(b, ${from})) return false;`);
        break;
      case 'sign':
        lines.push(`{ const c = b[${from}]; if (c !== 0x2b && c !== 0x2d && c !== 0x20) return false; }`);
        break;
      case 'X':
        texts.push(`if (!textOk(b, ${from}, ${to})) return false;`);
        break;
    }
  }
  // Most records are all ASCII: then no text field needs the charset (the reader checks whole chunks at
  // once, natively; a record of a chunk that is not all ASCII is looked at byte by byte).
  const source = `return function validate(b, base, ascii) {
    ${lines.join('\n    ')}
    if (!ascii) for (let j = base; j < base + ${message.length}; j++) {
      if (b[j] >= 0x80) {
        ${texts.join('\n        ')}
        break;
      }
    }
    return true;
  };`;
  const textOk = (b: Uint8Array, from: number, to: number): boolean => {
    const last = trimEnd(b, from, to);
    for (let j = from; j < last; j++) if (b[j]! >= 0x80) return typeof charset.decode(b, from, last) !== 'number';
    return true;
  };
  const dateOk = (b: Uint8Array, p: number): boolean => {
    const y = digitsValue(b, p, p + 4);
    const m = digitsValue(b, p + 4, p + 6);
    const d = digitsValue(b, p + 6, p + 8);
    return (y | m | d) === 0 || validDate(y, m, d);
  };
  const timeOk = (b: Uint8Array, p: number): boolean => digitsValue(b, p, p + 2) < 24 && digitsValue(b, p + 2, p + 4) < 60 && digitsValue(b, p + 4, p + 6) < 60;
  return new Function('isBlank', 'textOk', 'dateOk', 'timeOk', source)(isBlank, textOk, dateOk, timeOk) as RecordValidator;
}

/** An expression: true when some byte of b[base+offset .. +length) is not an ASCII digit. */
function notDigits(offset: number, length: number): string {
  const terms: string[] = [];
  for (let i = 0; i < length; i++) terms.push(`((b[base + ${offset + i}] - 48) >>> 0) > 9`);
  return `(${terms.join(' || ')})`;
}
