import { FirmbankError } from '../errors/firmbank-error.js';

/** A request whose match key (Hecto: date + bank + company + 전문번호) is already in flight. */
export class DuplicateRequestError extends FirmbankError {
  constructor(message: string, key: string) {
    super('FB_LINK_DUPLICATE_KEY', `${message}: a request with the same key (${key}) is already in flight`);
  }
}
