import { FirmbankError } from '../errors/firmbank-error.js';

/**
 * Other bytes are already kept under this key. Evidence is never overwritten: what was kept first stays,
 * and the caller must find out why it now has different bytes for the same consent.
 */
export class EvidenceConflictError extends FirmbankError {
  constructor(
    readonly key: string,
    /** Where the evidence kept first is. */
    readonly existing: string,
  ) {
    super('FB_EVIDENCE_CONFLICT', `evidence for ${JSON.stringify(key)} is already kept (${existing}) with other bytes; evidence is never overwritten`);
  }
}
