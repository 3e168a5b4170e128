import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../paths.js';

/** A three-digit financial institution code ("004" 국민은행, "088" 신한은행). Leading zeros matter. */
export type BankCode = string & { readonly __brand: 'BankCode' };

/** The API schema's form of the rule (the KFTC list is checked by {@link bankCodeProblem}). */
export const BANK_CODE_PATTERN = '^[0-9]{3}$';
const BANK_CODE = new RegExp(BANK_CODE_PATTERN);

export function isBankCode(s: string): s is BankCode {
  return BANK_CODE.test(s);
}

/** The KFTC list shipped with the engine (see the file's header for its source). */
export const KFTC_BANK_CODES = join(projectRoot(), 'specs/codes/kftc-bank-codes.csv');

let names: ReadonlyMap<string, string> | undefined;

/** The institution a KFTC bank code names, or undefined for a code no bank has ("000", "999"). */
export function bankName(code: string): string | undefined {
  names ??= new Map(
    readFileSync(KFTC_BANK_CODES, 'utf8')
      .split('\n')
      .filter((line) => /^\d{3},/.test(line))
      .map((line) => [line.slice(0, 3), line.slice(4)] as const),
  );
  return names.get(code);
}

/**
 * Why `code` cannot be a receiving bank, or undefined when it can: three digits, and on the KFTC list.
 * One rule for the API, the flows and the CLI.
 */
export function bankCodeProblem(code: string): string | undefined {
  if (!isBankCode(code)) return 'must be a 3-digit bank code, e.g. "088"';
  if (bankName(code) === undefined) return `"${code}" is not a bank code on the KFTC list`;
  return undefined;
}
