import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FirmbankError } from '../errors/firmbank-error.js';
import { projectRoot } from '../paths.js';
import { OUTCOMES, type Outcome } from './outcome.js';

/** The meaning of one (bank, response code). */
export interface ResponseMeaning {
  readonly bank: string;
  /** As it appears in telegrams (four characters, leading zeros kept). */
  readonly code: string;
  readonly outcome: Outcome;
  readonly message: string;
  /** False for a code no table lists: its outcome is then `unknown`, never `rejected`. */
  readonly listed: boolean;
  /** The derivation rule that chose the outcome (column `rule`, e.g. `funds-wording`); absent for an unlisted code. */
  readonly rule?: string;
}

/** The derived table shipped with the engine (see scripts/derive-response-codes.mjs). */
export const HECTO_RESPONSE_CODES = join(projectRoot(), 'specs/codes/hecto-bank-response-codes.csv');

/**
 * Per-bank response codes → outcome. Bank rows win; bank `*` rows (the VAN's own codes: VTIM, NREC, SB09 …)
 * apply to every bank without a row of its own.
 */
export class ResponseCodeTable {
  private readonly byKey = new Map<string, ResponseMeaning>();

  /** Parses the derived CSV (comment lines start with #). */
  static load(file: string = HECTO_RESPONSE_CODES): ResponseCodeTable {
    const table = new ResponseCodeTable();
    const lines = readFileSync(file, 'utf8').split('\n');
    let header = true;
    lines.forEach((line, i) => {
      if (line === '' || line.startsWith('#')) return;
      if (header) {
        header = false;
        return;
      }
      const cells = splitCsv(line);
      const [bank, , code, outcome, rule, , message] = cells;
      if (cells.length !== 7 || !bank || !code || !rule || !OUTCOMES.includes(outcome as Outcome)) {
        throw new FirmbankError('FB_CODES_INVALID', `${file}:${i + 1}: not a response-code row (bank,bank_name,code,outcome,rule,source_code,message)`);
      }
      table.byKey.set(`${bank}|${code}`, { bank, code, outcome: outcome as Outcome, message: message ?? '', listed: true, rule });
    });
    return table;
  }

  get size(): number {
    return this.byKey.size;
  }

  /** Every listed row, bank `*` rows included, in file order. */
  rows(): IterableIterator<ResponseMeaning> {
    return this.byKey.values();
  }

  /** What `code` from `bank` means. A code listed nowhere is `unknown`: never assume a refusal. */
  lookup(bank: string, code: string): ResponseMeaning {
    const c = code.trimEnd();
    return (
      this.byKey.get(`${bank}|${c}`) ??
      this.byKey.get(`*|${c}`) ?? { bank, code: c, outcome: 'unknown', message: 'code not in the response-code table', listed: false }
    );
  }
}

function splitCsv(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}
