import { maskText } from '../../src/codec/mask.js';
import type { ApiRecord } from './callers.js';
import type { OurTransfer, SentTelegram } from './ledger-reader.js';
import type { Rewrite } from './books-watcher.js';
import type { BankTransfer } from './sim-control.js';
import { judgeEvents, type EventsEvidence } from './events-verdict.js';

/** One way the run broke a promise of the gateway. */
export interface Violation {
  readonly kind: 'doubled' | 'lost' | 'phantom' | 'stuck' | 'mismatch' | 'idempotency' | 'seq-reused' | 'processed-twice' | 'written-twice' | 'books' | 'api' | 'unanswered' | 'deadline' | 'outbox' | 'webhook' | 'feed';
  readonly transferId?: string;
  readonly detail: string;
}

/** A transfer left for an operator, with what the bank's books say of it. */
export interface Flagged {
  readonly transferId: string;
  readonly state: string;
  readonly inquiries: number;
  /** applied, reversed, rejected, or none (the bank never saw it). */
  readonly bank: string;
}

export interface VerdictInput {
  readonly ours: readonly OurTransfer[];
  readonly sent: readonly SentTelegram[];
  /** Messages we originate, numbered from our 전문번호 (our replies to the bank's notices echo its numbers). */
  readonly numbered: ReadonlySet<string>;
  readonly bank: readonly BankTransfer[];
  /** The bank's balances at the end, and at the start (the simulator's default accounts). */
  readonly balances: readonly { account: string; balance: string }[];
  readonly openingBalances: readonly { account: string; balance: string }[];
  /** Records of the bank's books seen to change other than by a failure notice (BooksWatcher). */
  readonly rewrites: readonly Rewrite[];
  /** With `--tap`: the transfer telegrams that reached the bank's port, `date|seqNo` → how many times. */
  readonly wire?: ReadonlyMap<string, number>;
  readonly api: ApiRecord;
  /** `date|seqNo` of failure notices the bank sent and no gateway acknowledged. */
  readonly unacknowledgedNotices: ReadonlySet<string>;
  readonly inquiryMaxAttempts: number;
  /** Why the run stopped before its settle phase was over (its global deadline), if it did. */
  readonly stoppedEarly?: string;
  /** Per transfer: its moves the service must hear of, and its outbox events (see LedgerReader.outbox). */
  readonly outbox?: ReadonlyMap<string, { readonly moves: readonly string[]; readonly events: readonly string[] }>;
  /** The service's events, its webhook endpoint's deliveries and receipts, the feed's pages (events-verdict.ts). */
  readonly events?: EventsEvidence;
}

export interface Verdict {
  readonly ok: boolean;
  readonly violations: Violation[];
  readonly flagged: Flagged[];
  /** Differences the run itself explains (a notice the bank sent but nobody acknowledged). */
  readonly explained: string[];
  /** Transfers whose fee differs from the bank's (not a loss of money: the fee is what the bank said). */
  readonly feeDiffers: number;
  readonly states: Record<string, number>;
  readonly bankStates: Record<string, number>;
}

/** The bank's key for a telegram: send date and 전문번호 (as the simulator keys its books). */
export function bankKey(date: string | null, seqNo: string | null): string {
  return `${date ?? ''}|${(seqNo ?? '').padStart(6, '0')}`;
}

export function tally<T>(items: readonly T[], by: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of items) out[by(i)] = (out[by(i)] ?? 0) + 1;
  return out;
}

/**
 * The balances the bank's records explain: the opening balances, each applied transfer debited (amount and
 * fee) from its payer and credited to its payee when the bank keeps that account, each reversed one
 * applied and then undone but for its fee — as the simulator does it. In won, by account.
 */
export function explainedBalances(opening: VerdictInput['openingBalances'], bank: readonly BankTransfer[]): Map<string, bigint> {
  const out = new Map(opening.map((a) => [a.account, BigInt(a.balance)]));
  const add = (account: string, won: bigint) => {
    const b = out.get(account);
    if (b !== undefined) out.set(account, b + won);
  };
  for (const t of bank) {
    if (t.state === 'rejected') continue;
    const amount = BigInt(t.amount);
    add(t.withdrawAccount, -amount - BigInt(t.fee));
    add(t.depositAccount, amount);
    if (t.state === 'reversed') {
      add(t.withdrawAccount, amount);
      add(t.depositAccount, -amount);
    }
  }
  return out;
}

/**
 * Judges a run from the ledger, the bank's books and what the API answered:
 * - never doubled: the bank moved money for each of our transfers at most once;
 * - never lost: every transfer the bank applied is `succeeded` (or `reversed`, if the bank reversed it) in
 *   our ledger, every `succeeded` one was applied, every `failed` one was not; and nothing reached the
 *   bank that our ledger did not keep before sending;
 * - never stuck: nothing is left `requested` / `sending` / `unknown` unless flagged for an operator after
 *   its inquiries ran out;
 * - idempotency: one transfer per requestId, the same one in every answer, another body refused;
 * - every 전문번호 used once, and processed once by the bank: no record of its books rewritten, and its
 *   balances what its records explain (a second processing under the same number overwrites the record
 *   of the first, but not the money it moved);
 * - events: each final move with exactly its outbox event; with `events`, each event delivered to the
 *   service's webhook at least once, signed, in order per transfer, and in its change feed exactly once
 *   (see events-verdict.ts).
 */
export function judge(input: VerdictInput): Verdict {
  const violations: Violation[] = [];
  const explained: string[] = [];
  const flagged: Flagged[] = [];
  const byId = new Map(input.ours.map((t) => [t.id, t]));

  // Which of our transfers each 전문번호 belongs to (its 2000/100 was kept before it was written).
  const transferBySeq = new Map<string, string>();
  const seqUses = new Map<string, number>();
  for (const s of input.sent) {
    if (s.seqNo === null || s.sendDate === null || !input.numbered.has(s.message)) continue;
    const k = bankKey(s.sendDate, s.seqNo);
    seqUses.set(k, (seqUses.get(k) ?? 0) + 1);
    if (s.message === 'transfer.request' && s.transferId) transferBySeq.set(k, s.transferId);
  }
  for (const [k, n] of seqUses) if (n > 1) violations.push({ kind: 'seq-reused', detail: `전문번호 ${k} was written in ${n} telegrams` });
  // No event without its change, no change without its event, whatever was killed when.
  for (const [transferId, o] of input.outbox ?? []) {
    if (o.moves.join() !== o.events.join()) violations.push({ kind: 'outbox', transferId, detail: `moves ${o.moves.join(', ') || '(none)'} but events ${o.events.join(', ') || '(none)'}` });
  }
  // Each event delivered at least once, signed, in order per aggregate; the feed has each exactly once.
  if (input.events) violations.push(...judgeEvents(input.events));
  for (const [k, n] of input.wire ?? []) {
    if (n > 1) violations.push({ kind: 'written-twice', ...(transferBySeq.has(k) ? { transferId: transferBySeq.get(k)! } : {}), detail: `the transfer telegram ${k} reached the bank ${n} times` });
    if (!transferBySeq.has(k)) violations.push({ kind: 'phantom', detail: `a transfer telegram ${k} reached the bank that our ledger did not keep first` });
  }
  for (const r of input.rewrites) violations.push({ kind: 'processed-twice', ...(transferBySeq.has(r.key) ? { transferId: transferBySeq.get(r.key)! } : {}), detail: `the bank's record ${r.key} changed from ${r.from} to ${r.to} (seen ${r.seenAt})` });
  const explainedBy = explainedBalances(input.openingBalances, input.bank);
  for (const a of input.balances) {
    const want = explainedBy.get(a.account);
    if (want !== undefined && want !== BigInt(a.balance)) {
      violations.push({ kind: 'books', detail: `the bank's balance of ${maskText('account', a.account)} is ${a.balance} won, its records explain ${want} won (${BigInt(a.balance) - want} won moved without a record)` });
    }
  }

  // The bank's view of each of our transfers.
  const atBank = new Map<string, BankTransfer[]>();
  for (const b of input.bank) {
    const k = bankKey(b.date, b.seqNo);
    const id = transferBySeq.get(k);
    const ours = id ? byId.get(id) : undefined;
    if (!ours) {
      violations.push({ kind: 'phantom', detail: `the bank has a transfer ${k} (${b.state}, ${b.amount} won) that no kept telegram of ours carries` });
      continue;
    }
    if (ours.amount !== b.amount || ours.depositAccount !== b.depositAccount || ours.depositBankCode !== b.depositBankCode) {
      const to = (bank: string, account: string) => `bank ${bank} account ${maskText('account', account)}`;
      violations.push({ kind: 'mismatch', transferId: ours.id, detail: `the bank's ${k} is ${b.amount} won to ${to(b.depositBankCode, b.depositAccount)}, ours is ${ours.amount} won to ${to(ours.depositBankCode, ours.depositAccount)}` });
    }
    atBank.set(ours.id, [...(atBank.get(ours.id) ?? []), b]);
  }

  let feeDiffers = 0;
  for (const t of input.ours) {
    const entries = atBank.get(t.id) ?? [];
    const moved = entries.filter((b) => b.state === 'applied' || b.state === 'reversed');
    const view = moved[0]?.state ?? (entries.length > 0 ? 'rejected' : 'none');
    const at = (b: BankTransfer) => bankKey(b.date, b.seqNo);
    if (moved.length > 1) violations.push({ kind: 'doubled', transferId: t.id, detail: `the bank moved the money ${moved.length} times: ${moved.map(at).join(', ')}` });
    switch (t.state) {
      case 'succeeded':
        if (moved.length === 0) violations.push({ kind: 'lost', transferId: t.id, detail: `succeeded in our ledger, but the bank never applied it (bank: ${view})` });
        else if (moved[0]!.state === 'reversed') {
          if (input.unacknowledgedNotices.has(at(moved[0]!))) explained.push(`${t.id}: succeeded in our ledger, reversed at the bank by a failure notice no gateway acknowledged`);
          else violations.push({ kind: 'lost', transferId: t.id, detail: `succeeded in our ledger, but the bank reversed it (${at(moved[0]!)}) and we did not` });
        } else if (t.fee !== null && t.fee !== moved[0]!.fee) feeDiffers++;
        else if (t.fee === null && moved[0]!.fee !== '0') feeDiffers++;
        break;
      case 'reversed':
        if (moved.length === 0 || moved[0]!.state !== 'reversed') violations.push({ kind: 'lost', transferId: t.id, detail: `reversed in our ledger, but the bank's books say ${view}` });
        break;
      case 'failed':
        if (moved.length > 0) violations.push({ kind: 'lost', transferId: t.id, detail: `failed in our ledger (${t.responseCode ?? '-'}), but the bank ${view} it (${at(moved[0]!)})` });
        break;
      default:
        if (t.needsOperator && t.state === 'unknown' && t.inquiries >= input.inquiryMaxAttempts) flagged.push({ transferId: t.id, state: t.state, inquiries: t.inquiries, bank: view });
        else violations.push({ kind: 'stuck', transferId: t.id, detail: `still ${t.state}${t.needsOperator ? ' (flagged)' : ''} after the settle phase, ${t.inquiries} inquiries (bank: ${view})` });
    }
  }

  // Idempotency: one transfer per requestId, and it is the one every answer named.
  const byRequest = new Map<string, OurTransfer[]>();
  for (const t of input.ours) byRequest.set(t.requestId, [...(byRequest.get(t.requestId) ?? []), t]);
  for (const [requestId, ts] of byRequest) if (ts.length > 1) violations.push({ kind: 'idempotency', detail: `requestId ${requestId} has ${ts.length} transfers: ${ts.map((t) => t.id).join(', ')}` });
  for (const [requestId, ids] of input.api.answered) {
    const stored = byRequest.get(requestId) ?? [];
    if (ids.size > 1) violations.push({ kind: 'idempotency', detail: `requestId ${requestId} was answered with ${ids.size} transfer ids: ${[...ids].join(', ')}` });
    if (stored.length === 0) violations.push({ kind: 'lost', detail: `requestId ${requestId} was acknowledged (${[...ids].join(', ')}) but our ledger has no transfer for it` });
    else if (![...ids].every((id) => id === stored[0]!.id)) violations.push({ kind: 'idempotency', transferId: stored[0]!.id, detail: `requestId ${requestId} was answered with ${[...ids].join(', ')}, the ledger holds ${stored[0]!.id}` });
  }
  for (const c of input.api.conflicts) if (c.status !== 409) violations.push({ kind: 'idempotency', detail: `requestId ${c.requestId} reused with another body got ${c.status}, not 409` });
  for (const u of input.api.unexpected) violations.push({ kind: 'api', detail: `requestId ${u.requestId}: ${u.status} ${u.code} ${u.detail}`.trim() });
  for (const r of input.api.unanswered) violations.push({ kind: 'unanswered', detail: `requestId ${r} was never acknowledged by the API` });
  if (input.stoppedEarly) violations.push({ kind: 'deadline', detail: `the run was stopped before it could settle: ${input.stoppedEarly}` });

  return {
    ok: violations.length === 0,
    violations,
    flagged,
    explained,
    feeDiffers,
    states: tally(input.ours, (t) => t.state),
    bankStates: tally(input.bank, (b) => b.state),
  };
}
