import { readFileSync } from 'node:fs';
import { FirmbankError } from '../errors/firmbank-error.js';

/**
 * Bank codes at the edge: the API, the ledger and the flows use 3-digit KFTC codes; an institution whose
 * telegrams carry 2-digit codes maps them here, both ways, from a data file (code2,code3,name).
 */
export interface BankCodeMap {
  /** Digits of a bank code in this institution's telegrams. */
  readonly width: number;
  /** The wire code for a KFTC code; undefined when the institution has none. */
  toWire(kftc: string): string | undefined;
  /** The KFTC code for a wire code; a code with no mapping is returned as it came (kept, never guessed). */
  fromWire(wire: string): string;
}

export const KFTC_AS_IS: BankCodeMap = { width: 3, toWire: (c) => c, fromWire: (c) => c };

/** Reads `code2,code3,name` rows (comment lines start with #); throws a message naming the line. */
export function loadBankCodeMap(file: string, width: number): BankCodeMap {
  const out = new Map<string, string>();
  const back = new Map<string, string>();
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#') || /^code\d?,/.test(line)) return;
    const [wire, kftc] = line.split(',');
    if (!wire || !kftc || wire.length !== width || !/^\d+$/.test(wire) || !/^\d{3}$/.test(kftc)) {
      throw new FirmbankError('FB_PROFILE_INVALID', `${file}:${i + 1}: not a bank-code row (a ${width}-digit code, a 3-digit KFTC code, a name)`);
    }
    out.set(kftc, wire);
    back.set(wire, kftc);
  });
  return { width, toWire: (c) => out.get(c), fromWire: (c) => back.get(c) ?? c };
}
