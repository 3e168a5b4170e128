import { FirmbankError } from '../errors/firmbank-error.js';

/** 전문번호: unique per (send date, bank, company) for every telegram, renumbered daily. */
export type SeqNo = number & { readonly __brand: 'SeqNo' };

/** The scope a 전문번호 is unique in. */
export interface SeqScope {
  /** Send date, YYYY-MM-DD (KST). */
  readonly date: string;
  readonly bankCode: string;
  readonly companyId: string;
  /** The institution's daily maximum (its spec's `session.maxSeqNo`, Hecto 950,000). */
  readonly max: number;
}

/**
 * Hands out 전문번호. Implementations must never return the same number twice for a scope, across
 * restarts and processes (the persisted one lives with the ledger); this interface is all links know.
 */
export interface SequenceSource {
  next(scope: SeqScope): Promise<SeqNo>;
}

/** No 전문번호 left today for this scope (the institution's maximum). */
export class SequenceExhaustedError extends FirmbankError {
  constructor(scope: SeqScope) {
    super('FB_SEQ_EXHAUSTED', `no 전문번호 left for ${scope.date}, bank ${scope.bankCode}, company ${scope.companyId}: the maximum is ${scope.max}`);
  }
}

/** In-memory numbering for tests and the simulator; forgets everything on restart. */
export class MemorySequenceSource implements SequenceSource {
  private readonly last = new Map<string, number>();

  async next(scope: SeqScope): Promise<SeqNo> {
    const key = `${scope.date}|${scope.bankCode}|${scope.companyId}`;
    const n = (this.last.get(key) ?? 0) + 1;
    if (n > scope.max) throw new SequenceExhaustedError(scope);
    this.last.set(key, n);
    return n as SeqNo;
  }
}
