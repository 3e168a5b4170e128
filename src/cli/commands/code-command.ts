import { ResponseCodeTable } from '../../codes/response-codes.js';
import { isBankCode } from '../../domain/bank-code.js';
import { UsageError } from '../usage-error.js';

/** `firmbank code BANK CODE`: what a bank's response code means (message and outcome class). */
export function codeCommand(bank: string | undefined, code: string | undefined): string {
  if (!bank || !code) throw new UsageError('code: give a bank code and a response code, e.g. firmbank code 004 7430');
  if (!isBankCode(bank)) throw new UsageError(`code: "${bank}" is not a 3-digit bank code`);
  const m = ResponseCodeTable.load().lookup(bank, code);
  return JSON.stringify(m, null, 2);
}
