import { FirmbankError } from '../errors/firmbank-error.js';

/** Nothing is kept at this location any more (deleted or moved by hand, or another store's folder). */
export class EvidenceMissingError extends FirmbankError {
  constructor(readonly location: string) {
    super('FB_EVIDENCE_MISSING', `no evidence at ${location}`);
  }
}
