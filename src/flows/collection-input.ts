import { createHash } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { EncodeError } from '../codec/encode-error.js';
import type { TelegramCodec } from '../codec/telegram-codec.js';
import type { InstitutionProfile } from '../institution/profile.js';
import { ValidationError } from './validation-error.js';

/** A collection (집금) as an internal service asks for it: from a payer whose consent is registered. */
export interface CollectionInput {
  /** The caller's id for it: the same id with the same body returns the same collection. */
  readonly requestId: string;
  /** The consent to collect under, or the payer number it registered (one of the two). */
  readonly consentId?: string;
  readonly payerNumber?: string;
  /** Won, as a decimal string of digits. */
  readonly amount: string;
  /** 적요 on the payer's passbook. */
  readonly memo?: string;
}

/**
 * Checks a collection request and the telegram it will become (amount > 0 and within the service's limit;
 * the memo encodable and within its bytes, by encoding a trial 2000/200). Returns the amount.
 */
export function validateCollection(input: CollectionInput, maxAmount: Decimal, profile: InstitutionProfile, codec: TelegramCodec): Decimal {
  if (!/^[\x21-\x7e]{1,128}$/.test(input.requestId)) throw new ValidationError('requestId', 'must be 1–128 printable ASCII characters');
  if ((input.consentId === undefined) === (input.payerNumber === undefined)) throw new ValidationError('consentId', 'name the consent (consentId) or its payer number (payerNumber), one of the two');
  if (input.payerNumber !== undefined && !/^[\x21-\x7e]{1,20}$/.test(input.payerNumber)) throw new ValidationError('payerNumber', 'must be 1–20 printable ASCII characters');
  if (!/^\d{1,13}$/.test(input.amount)) throw new ValidationError('amount', 'must be a whole number of won as a decimal string, e.g. "15000"');
  const amount = new Decimal(input.amount);
  if (amount.lessThanOrEqualTo(0)) throw new ValidationError('amount', 'must be greater than 0');
  if (amount.greaterThan(maxAmount)) throw new ValidationError('amount', `exceeds this service's limit of ${maxAmount.toFixed()} won per collection`, 'FB_LIMIT_EXCEEDED');
  try {
    codec.encode(profile.message('collection'), profile.toWire('collection', 'request', { withdrawAccount: '0', amount, memo: input.memo ?? '' }));
  } catch (e) {
    if (!(e instanceof EncodeError) || !e.field) throw e;
    const memoField = profile.binding('collection').request['memo'];
    throw new ValidationError(e.field === memoField ? 'memo' : e.field, e.message.replace(/^cannot encode [^:]+: /, ''));
  }
  return amount;
}

/** The idempotency fingerprint of a collection: what it takes, from whom, with what memo. */
export function collectionHash(institution: string, consentId: string, amount: Decimal, memo: string): string {
  return createHash('sha256').update(JSON.stringify(['collection', institution, consentId, amount.toFixed(0), memo])).digest('hex');
}
