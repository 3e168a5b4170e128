import { createHash } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { EncodeError } from '../codec/encode-error.js';
import { accountProblem } from '../domain/account.js';
import { bankCodeProblem } from '../domain/bank-code.js';
import type { TelegramCodec } from '../codec/telegram-codec.js';
import type { InstitutionProfile } from '../institution/profile.js';
import { ValidationError } from './validation-error.js';

/** A transfer as an internal service asks for it. */
export interface TransferInput {
  /** The caller's id for this transfer: the same id with the same body returns the same transfer. */
  readonly requestId: string;
  /** Bank of the receiving account (3 digits). */
  readonly bankCode: string;
  readonly account: string;
  /** Won, as a decimal string of digits. */
  readonly amount: string;
  /** 적요: printed on the recipient's passbook. */
  readonly memo?: string;
  /** Expected holder of the receiving account (입금계좌예금주명). */
  readonly recipientName?: string;
}

/** The caller's name for each canonical transfer field, to name it in errors. */
const CALLER_FIELD: Readonly<Record<string, keyof TransferInput>> = {
  depositBankCode: 'bankCode',
  depositAccount: 'account',
  amount: 'amount',
  memo: 'memo',
  recipientName: 'recipientName',
};

/** What a transfer pays, to whom, with what memo: the canonical fields the caller decides. */
interface Payment {
  readonly depositBankCode: string;
  readonly depositAccount: string;
  readonly amount: Decimal;
  readonly memo: string;
  readonly recipientName: string;
}

function paymentOf(input: TransferInput, amount: Decimal): Payment {
  return { depositBankCode: input.bankCode, depositAccount: input.account, amount, memo: input.memo ?? '', recipientName: input.recipientName ?? '' };
}

/**
 * Checks a transfer request against the rules and against the telegram it will become: amount > 0 and
 * within the service's limit, codes and account numbers well formed, the receiving bank reachable through
 * the institution, memo and name encodable and within their byte lengths (by encoding a trial telegram of
 * the institution's own transfer message). Returns the amount as Decimal.
 */
export function validateTransfer(input: TransferInput, maxAmount: Decimal, profile: InstitutionProfile, codec: TelegramCodec, contractedBank: string): Decimal {
  if (!/^[\x21-\x7e]{1,128}$/.test(input.requestId)) throw new ValidationError('requestId', 'must be 1–128 printable ASCII characters');
  const badBank = bankCodeProblem(input.bankCode);
  if (badBank) throw new ValidationError('bankCode', badBank);
  const badAccount = accountProblem(input.account);
  if (badAccount) throw new ValidationError('account', badAccount);
  if (!/^\d{1,13}$/.test(input.amount)) throw new ValidationError('amount', 'must be a whole number of won as a decimal string, e.g. "15000"');
  const amount = new Decimal(input.amount);
  if (amount.lessThanOrEqualTo(0)) throw new ValidationError('amount', 'must be greater than 0');
  if (amount.greaterThan(maxAmount)) throw new ValidationError('amount', `exceeds this service's limit of ${maxAmount.toFixed()} won per transfer`, 'FB_LIMIT_EXCEEDED');
  try {
    const message = profile.message('transfer', { receiving: input.bankCode, contracted: contractedBank });
    codec.encode(message, profile.toWire('transfer', 'request', { ...paymentOf(input, amount) }));
  } catch (e) {
    if (!(e instanceof EncodeError) || !e.field) throw e;
    const binding = profile.binding('transfer').request;
    const canonical = Object.keys(binding).find((k) => binding[k] === e.field);
    const field = (canonical && CALLER_FIELD[canonical]) ?? e.field;
    throw new ValidationError(field, e.message.replace(/^cannot encode [^:]+: /, ''));
  }
  return amount;
}

/** SHA-256 of what the transfer does (not of how the JSON was spelled): the idempotency fingerprint. */
export function requestHash(institution: string, input: TransferInput, amount: Decimal): string {
  const canonical = JSON.stringify([institution, input.bankCode, input.account, amount.toFixed(0), input.memo ?? '', input.recipientName ?? '']);
  return createHash('sha256').update(canonical).digest('hex');
}
