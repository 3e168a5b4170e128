import { ResponseCodeTable } from '../../codes/response-codes.js';
import { isBankCode } from '../../domain/bank-code.js';
import { loadInstitution } from '../../institution/load-profile.js';
import { UsageError } from '../usage-error.js';

/**
 * `firmbank code [--profile FILE] BANK CODE`: what a bank's response code means (message and outcome
 * class), in the table of the institution the profile describes (Hecto's by default).
 */
export function codeCommand(bank: string | undefined, code: string | undefined, profile?: string): string {
  if (!bank || !code) throw new UsageError('code: give a bank code and a response code, e.g. firmbank code 004 7430');
  if (!isBankCode(bank)) throw new UsageError(`code: "${bank}" is not a 3-digit bank code`);
  const codes = profile ? loadInstitution(profile).codes : ResponseCodeTable.load();
  const m = codes.lookup(bank, code);
  return JSON.stringify(m, null, 2);
}
