import { maskFields } from '../../src/codec/mask-fields.js';
import type { TelegramCodec } from '../../src/codec/telegram-codec.js';
import type { ApiRecord } from './callers.js';
import type { ChaosCounts } from './chaos-loop.js';
import type { Crash } from './fleet.js';
import type { LedgerReader } from './ledger-reader.js';
import type { ChaosOptions } from './options.js';
import type { Verdict } from './verdict.js';
import type { ReceiptTally } from './webhook-receiver.js';

/** Everything a run reports: printed for people, written as JSON for the test and the README. */
export interface ChaosSummary {
  readonly seed: number;
  readonly transfers: number;
  readonly database: string;
  readonly gateways: number;
  readonly concurrency: number;
  readonly rate: number;
  readonly elapsedS: number;
  /** Starting the database, Redis, the simulator and the gateways. */
  readonly setupS: number;
  readonly chaosS: number;
  readonly settleS: number;
  /** Waiting, after the settle phase, for every webhook delivery to be delivered. */
  readonly webhooksS: number;
  /** Why the run stopped early, if it did (deadline). */
  readonly stopped: string | null;
  readonly api: Pick<ApiRecord, 'calls' | 'retries' | 'serverErrors' | 'repeats' | 'races'> & { conflicts: number };
  readonly faults: Record<string, Record<string, number>>;
  readonly actions: { latency: number; refusals: number; drops: number; clears: number };
  readonly kills: { gateway: number; redis: number };
  readonly crashes: readonly Crash[];
  readonly notices: { sent: number; refused: number; unacknowledged: number };
  /** The callers' service's events and how they reached it. */
  readonly events: {
    readonly events: number;
    /** The webhook deliveries by status, and the attempts the gateways made of them. */
    readonly deliveries: Record<string, number>;
    readonly attempts: number;
    readonly receiver: ReceiptTally;
    readonly feed: { readonly pages: number; readonly withEvents: number; readonly failedReads: number };
  };
  readonly verdict: Verdict;
  /** Evidence for the transfers named by violations (events and telegrams, masked). */
  readonly evidence: readonly Evidence[];
  readonly runDir: string | null;
}

export interface Evidence {
  readonly transferId: string;
  readonly events: readonly string[];
  readonly telegrams: readonly string[];
}

/**
 * The events, telegrams and notices of up to `max` transfers named by violations, telegrams decoded and
 * masked. Of the telegrams that came in, only answers are shown: a bank's notice carries its own
 * numbering, which may equal the transfer's 전문번호 by chance; the notices that name the transfer come
 * from the notices table instead.
 */
export async function gatherEvidence(verdict: Verdict, reader: LedgerReader, codec: TelegramCodec, max = 8): Promise<Evidence[]> {
  const ids = [...new Set(verdict.violations.flatMap((v) => (v.transferId ? [v.transferId] : [])))].slice(0, max);
  if (ids.length === 0) return [];
  const answers = new Set([...codec.spec.messages.values()].flatMap((m) => (m.response ? [m.response] : [])));
  const notices = await reader.ledger.notices(codec.spec.institution);
  const out: Evidence[] = [];
  for (const id of ids) {
    const events = (await reader.ledger.events(id)).map((e) => `${new Date(e.at).toISOString()} ${e.fromState ?? '-'} → ${e.toState}: ${e.reason}`);
    const telegrams = (await reader.ledger.telegrams(id))
      .filter((t) => t.direction === 'out' || answers.has(t.message))
      .map((t) => `${t.at.toISOString()} ${t.direction} ${t.sendDate ?? '-'}#${t.seqNo ?? '-'} ${describe(codec, t.raw)}`);
    for (const n of notices.filter((x) => x.transferId === id)) telegrams.push(`${new Date(n.receivedAt).toISOString()} in ${n.sendDate}#${n.seqNo} ${describe(codec, n.raw)}`);
    out.push({ transferId: id, events, telegrams });
  }
  return out;
}

/** One telegram in a line: its message and the fields that tell what happened, masked. */
function describe(codec: TelegramCodec, raw: Buffer): string {
  try {
    const d = codec.decode(raw);
    const f = maskFields(codec.message(d.message), d.fields);
    const pick = ['responseCode', 'originalSeqNo', 'amount', 'requestedAmount', 'processedAmount', 'fee', 'result'].filter((k) => f[k] !== undefined && f[k] !== null && f[k] !== '');
    return `${d.message} ${pick.map((k) => `${k}=${f[k]}`).join(' ')}`;
  } catch (e) {
    return `not decodable (${(e as Error).message.split('\n')[0]})`;
  }
}

const list = (r: Record<string, number>) =>
  Object.entries(r)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'none';

/** The summary as text, for the terminal (and the README). */
export function formatSummary(s: ChaosSummary, options: ChaosOptions): string {
  const v = s.verdict;
  const r = s.events.receiver;
  const byKind = Object.fromEntries(Object.entries(s.faults).map(([k, m]) => [k, Object.values(m).reduce((a, b) => a + b, 0)]));
  const lines = [
    `firmbank chaos: seed ${s.seed}, ${s.transfers} transfers, ${s.gateways} gateway${s.gateways > 1 ? 's' : ''}, ${s.database}, ${options.concurrency} callers, at most ${s.rate}/s`,
    `elapsed ${s.elapsedS.toFixed(1)} s (setup ${s.setupS.toFixed(1)} s, chaos ${s.chaosS.toFixed(1)} s, settle ${s.settleS.toFixed(1)} s, webhooks ${s.webhooksS.toFixed(1)} s)${s.stopped ? ` — stopped early: ${s.stopped}` : ''}`,
    `transfers: ${list(v.states)}; flagged for an operator: ${v.flagged.length}`,
    `bank's books: ${list(v.bankStates)}`,
    `API: ${s.api.calls} calls, ${s.api.retries} made again (${s.api.serverErrors} 5xx), ${s.api.repeats} repeats, ${s.api.races} concurrent pairs, ${s.api.conflicts} conflicting bodies`,
    `faults armed (requests hit, by kind): ${list(byKind)}`,
    `transfer.request: ${list(Object.fromEntries(Object.entries(s.faults).map(([k, m]) => [k, m['transfer.request'] ?? 0])))}`,
    `resultInquiry.request: ${list(Object.fromEntries(Object.entries(s.faults).map(([k, m]) => [k, m['resultInquiry.request'] ?? 0])))}`,
    `also: latency ${s.actions.latency}, refused connections ${s.actions.refusals}, dropped connections ${s.actions.drops}, cleared ${s.actions.clears}`,
    `kills (SIGKILL, then restarted): gateway ${s.kills.gateway}, redis ${s.kills.redis}; gateway crashes: ${s.crashes.length}`,
    `failure notices: ${s.notices.sent} acknowledged, ${s.notices.refused} refused by the simulator, ${s.notices.unacknowledged} unacknowledged`,
    `events: ${s.events.events} for the service; webhook deliveries: ${list(s.events.deliveries)}, ${s.events.attempts} attempts by the gateways`,
    `webhook receiver: ${r.requests} requests (${r.cutOff} cut off before their body was read), ${r.answered} answered 2xx; failed by the receiver: ${list(r.failed)}; duplicates received: ${r.duplicates} (${r.afterSuccess} after a 2xx)`,
    `change feed: ${s.events.feed.pages} pages read (${s.events.feed.withEvents} with events); reads that got no page (gateway killed, Redis away): ${s.events.feed.failedReads}`,
  ];
  if (v.feeDiffers > 0) lines.push(`note: ${v.feeDiffers} succeeded transfers hold a fee other than the bank's`);
  for (const c of s.crashes) lines.push(`crash: ${c.gateway} exited by itself (${c.how}) at ${c.at}`);
  for (const f of v.flagged) lines.push(`flagged: ${f.transferId} ${f.state} after ${f.inquiries} inquiries; the bank's books: ${f.bank}`);
  for (const e of v.explained) lines.push(`explained: ${e}`);
  if (v.ok) lines.push('verdict: OK — never doubled, never lost, never stuck, one transfer per requestId, every change with exactly its event, each event delivered signed and in order, the feed complete');
  else {
    lines.push(`verdict: FAILED — ${v.violations.length} violation${v.violations.length > 1 ? 's' : ''}`);
    for (const x of v.violations.slice(0, 50)) lines.push(`  ${x.kind}${x.transferId ? ` ${x.transferId}` : ''}: ${x.detail}`);
    if (v.violations.length > 50) lines.push(`  … and ${v.violations.length - 50} more (all in the JSON summary)`);
    for (const e of s.evidence) lines.push(`evidence for ${e.transferId}:`, ...e.events.map((x) => `  event ${x}`), ...e.telegrams.map((x) => `  telegram ${x}`));
    if (s.runDir) lines.push(`logs and configuration kept in ${s.runDir}`);
  }
  return lines.join('\n');
}
