import { FirmbankError } from '../errors/firmbank-error.js';

/**
 * A key that cannot safely name evidence (it holds `/`, `\`, `..` or NUL, is empty or too long), or a
 * location the evidence store did not hand out. Refused before touching the disk: a key must never
 * reach outside the store's folder.
 */
export class EvidenceKeyError extends FirmbankError {
  constructor(reason: string) {
    super('FB_EVIDENCE_KEY', reason);
  }
}
