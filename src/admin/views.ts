import { Decimal } from 'decimal.js';
import { maskText } from '../codec/mask.js';
import type { Consent } from '../domain/consent.js';
import type { AuditEntry } from '../domain/operator.js';
import type { ReconBreak, ReconRun } from '../domain/reconciliation.js';
import type { Settlement } from '../domain/settlement.js';
import type { Notice, Transfer, TransferEvent } from '../domain/transfer.js';
import type { OneWonListing } from '../ledger/admin-queries.js';
import { noticeKind } from '../ledger/admin/notice-lists.js';
import type { ServiceDelivery } from '../ledger/admin/ops-lists.js';
import type { UnknownOutcome } from '../ledger/admin/unknown-queue.js';
import type { WebhookEndpoint } from '../ledger/webhook-store.js';
import type { InstitutionProfile } from '../institution/profile.js';

/**
 * The admin API's JSON shapes (admin/openapi.yaml) of the domain objects: pure functions, no I/O. Times
 * are ISO 8601 strings, amounts decimal strings. Accounts and names are masked as logs and errors mask
 * them (maskText, src/codec/mask.ts: an account keeps its last 4 characters, a name its first) unless
 * `unmask` — which the routes pass only for an operator allowed to see them, and audit.
 */

const iso = (d: Date): string => d.toISOString();
const isoOrNull = (d: Date | null): string | null => (d === null ? null : d.toISOString());
const won = (d: Decimal | null): string | null => (d === null ? null : d.toFixed(0));
const account = (text: string, unmask: boolean): string => (unmask ? text : maskText('account', text));
const name = (text: string, unmask: boolean): string => (unmask ? text : maskText('name', text));

/** What a one-won verification's memo shows: never its sealed code. */
const SEALED = '(sealed)';

/** TransferSummary: a row of the transfer search. */
export function transferSummaryView(t: Transfer, unmask: boolean) {
  return {
    id: t.id,
    kind: t.kind,
    service: t.service,
    requestId: t.requestId,
    institution: t.institution,
    depositBankCode: t.depositBankCode,
    depositAccount: account(t.depositAccount, unmask),
    amount: t.amount.toFixed(0),
    state: t.state,
    seqNo: t.seqNo,
    sendDate: t.sendDate,
    responseCode: t.responseCode,
    needsOperator: t.needsOperator,
    inquiries: t.inquiries,
    createdAt: iso(t.createdAt),
    updatedAt: iso(t.updatedAt),
  };
}

/**
 * TransferDetail: one transfer's page. A one-won verification's 1 won (`oneWon`, or a memo sealed at rest)
 * never shows its memo: the memo is the code the account holder must type back.
 */
export function transferDetailView(t: Transfer, unmask: boolean, extra: { readonly oneWon: boolean }) {
  const oneWon = extra.oneWon || t.memo.startsWith('sealed:');
  return {
    ...transferSummaryView(t, unmask),
    withdrawAccount: account(t.withdrawAccount, unmask),
    recipientName: name(t.recipientName, unmask),
    memo: oneWon ? SEALED : t.memo,
    fee: won(t.fee),
    responseMessage: t.responseMessage,
    consentId: t.consentId,
    payerNumber: t.payerNumber,
    oneWon,
  };
}

/** TransferEvent: one move of a transfer. */
export function transferEventView(e: Pick<TransferEvent, 'fromState' | 'toState' | 'reason' | 'at'>) {
  return { at: iso(e.at), from: e.fromState, to: e.toState, reason: e.reason };
}

/** Settlement: a manual settlement of an unknown transfer. */
export function settlementView(s: Settlement) {
  return {
    id: s.id,
    transferId: s.transferId,
    outcome: s.outcome,
    reason: s.reason,
    evidence: s.evidence,
    proposedBy: s.proposedBy,
    proposedAt: iso(s.proposedAt),
    status: s.status,
    decidedBy: s.decidedBy,
    decidedAt: isoOrNull(s.decidedAt),
    decisionReason: s.decisionReason,
  };
}

/** UnknownOutcome: a row of the unknowns queue. */
export function unknownView(u: UnknownOutcome, unmask = false) {
  return { transfer: transferSummaryView(u.transfer, unmask), since: iso(u.since), settlement: u.settlement ? settlementView(u.settlement) : null };
}

/**
 * Notice: a bank's notice, its account always masked (the list has no unmask). Its kind, amount and
 * account are read through the institution's profile when one is given ({@link noticeViewWith}), else by
 * the canonical field names the shipped specs use.
 */
export function noticeView(n: Notice) {
  return noticeOf(n, noticeKind(n.message), parseFields(n.fields));
}

/** {@link noticeView} reading the notice through its institution's profile (operation and canonical fields). */
export function noticeViewWith(profileOf: (institution: string) => Pick<InstitutionProfile, 'operationOf' | 'fromWire'> | undefined) {
  return (n: Notice) => {
    const profile = profileOf(n.institution);
    const op = profile?.operationOf(n.message);
    const wire = parseFields(n.fields);
    if (!profile || !op) return noticeOf(n, noticeKind(n.message), wire);
    let canonical: Record<string, unknown> = wire;
    try {
      canonical = profile.fromWire(op.operation, op.side, wire);
    } catch {
      // an operation without mappings on that side: the wire names are all there is
    }
    return noticeOf(n, op.operation, canonical);
  };
}

function noticeOf(n: Notice, kind: string, fields: Record<string, unknown>) {
  const amount = text(fields['amount']) ?? text(fields['requestedAmount']);
  const acct = text(fields['account']) ?? text(fields['depositAccount']);
  return {
    id: n.id,
    institution: n.institution,
    kind,
    message: n.message,
    sendDate: n.sendDate,
    seqNo: n.seqNo,
    transferId: n.transferId,
    amount: amount !== null && /^\d+(\.\d+)?$/.test(amount) ? new Decimal(amount).toFixed() : amount,
    account: acct === null || acct === '' ? null : maskText('account', acct),
    receivedAt: iso(n.receivedAt),
  };
}

function parseFields(json: string): Record<string, string | null> {
  try {
    const v = JSON.parse(json) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, string | null>) : {};
  } catch {
    return {};
  }
}

function text(v: unknown): string | null {
  return typeof v === 'string' ? v.trim() : v instanceof Decimal ? v.toFixed() : null;
}

/**
 * Consent: a payer's consent. The ledger keeps no holder name for a consent (migration 0009 has the
 * payer number, the account and the sealed id number and phone), so `holderName` is always empty.
 */
export function consentView(c: Consent, unmask: boolean) {
  return {
    id: c.id,
    service: c.service,
    institution: c.institution,
    payerNumber: c.payerNumber,
    bankCode: c.bankCode,
    account: account(c.account, unmask),
    holderName: '',
    state: c.state,
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
    hasEvidence: c.evidence !== null,
  };
}

/** OneWon: a one-won verification; its account is kept masked, its code never at all. */
export function oneWonView(v: OneWonListing) {
  return {
    id: v.id,
    service: v.service,
    bankCode: v.bankCode,
    account: v.accountMasked,
    state: v.state,
    attempts: v.attempts,
    failure: v.failure === null ? null : v.failure.code ? `${v.failure.code}: ${v.failure.message}` : v.failure.message,
    transferId: v.transferId,
    createdAt: iso(v.createdAt),
    expiresAt: iso(v.expiresAt),
  };
}

/** ReconRun: a reconciliation run with its figures. */
export function reconRunView(r: ReconRun) {
  return {
    id: r.id,
    institution: r.institution,
    businessDate: r.businessDate,
    file: r.file,
    status: r.status,
    figures: r.figures === null ? null : { ledgerTransfers: r.figures.ledgerTransfers, bankRecords: r.figures.bankRecords, matched: r.figures.matched, breaks: r.figures.breaks, breaksByCategory: { ...r.figures.breaksByCategory } },
    startedAt: iso(r.startedAt),
    finishedAt: isoOrNull(r.finishedAt),
  };
}

/** ReconBreak: a break (its `ours` and `bank` were masked when it was found). */
export function breakView(b: ReconBreak) {
  return {
    id: b.id,
    institution: b.institution,
    businessDate: b.businessDate,
    category: b.category,
    subject: b.subject,
    transferId: b.transferId,
    service: b.service,
    ours: b.ours,
    bank: b.bank,
    detail: b.detail,
    status: b.status,
    resolvedBy: b.resolvedBy,
    resolution: b.resolution,
    resolvedAt: isoOrNull(b.resolvedAt),
  };
}

/** WebhookEndpoint: never its secret (the domain object does not carry it). */
export function webhookEndpointView(e: WebhookEndpoint) {
  return { id: e.id, service: e.service, url: e.url, types: [...e.types], createdAt: iso(e.createdAt), disabledAt: isoOrNull(e.disabledAt) };
}

/** WebhookDelivery: one event to one endpoint, with its service. */
export function webhookDeliveryView(d: ServiceDelivery) {
  return {
    id: d.id,
    endpointId: d.endpointId,
    service: d.service,
    eventId: d.eventId,
    type: d.type,
    status: d.status,
    attempts: d.attempts,
    firstAt: iso(d.firstAt),
    nextAt: iso(d.nextAt),
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    deliveredAt: isoOrNull(d.deliveredAt),
  };
}

/** AuditEntry: one audited action (its before and after were masked when it was written). */
export function auditEntryView(e: AuditEntry) {
  return { id: e.id, at: iso(e.at), actor: e.actor, action: e.action, target: e.target, before: e.before ?? null, after: e.after ?? null, reason: e.reason, requestId: e.requestId };
}
