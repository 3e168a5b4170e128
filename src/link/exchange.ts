import type { DecodedTelegram } from '../codec/values.js';

/** A telegram we built and handed (or tried to hand) to a link. */
export interface SentTelegram {
  readonly message: string;
  readonly seqNo: string;
  /** Send date (YYYY-MM-DD, KST) the 전문번호 belongs to. */
  readonly sendDate: string;
  /** The telegram without its length prefix, exactly as written. */
  readonly raw: Buffer;
  /** When its bytes were handed to the socket; undefined while (or if) they never were. */
  writtenAt: Date | undefined;
}

/**
 * What became of a request. The three cases are what money safety needs told apart:
 * - `answered`: the bank answered (its response code says how it went);
 * - `not-sent`: nothing was written to the bank: safe to try again;
 * - `unknown`: written, but no answer came (timeout, connection lost): the bank may have acted on it.
 *   Never send it again; ask (Hecto 7000/100).
 */
export type LinkOutcome =
  | { readonly status: 'answered'; readonly request: SentTelegram; readonly response: DecodedTelegram; readonly responseRaw: Buffer; readonly responseCode: string }
  | { readonly status: 'not-sent'; readonly reason: string; readonly request?: SentTelegram; readonly cause?: NotSentCause }
  | { readonly status: 'unknown'; readonly reason: string; readonly request: SentTelegram };

/**
 * Why nothing was written: the link (down, not ready: the default), the caller's `beforeSend` (keeping
 * the telegram failed: says nothing about the bank), or an open circuit breaker (nothing was tried).
 */
export type NotSentCause = 'link' | 'before-send' | 'breaker';

/** Every telegram that crosses a link, either way, for whoever keeps them (the ledger, later). */
export interface TrafficRecord {
  readonly direction: 'out' | 'in';
  readonly message: string;
  readonly raw: Buffer;
  readonly at: Date;
  /** 전문번호 and send date (YYYY-MM-DD) from the header, when the spec has them. */
  readonly seqNo: string | null;
  readonly sendDate: string | null;
  /**
   * True for a request its sender already persisted in `beforeSend`, or an answer its requester keeps
   * itself (`keepsAnswer`): no need to keep it twice.
   */
  readonly kept?: boolean;
}
