import type { DataSource } from 'typeorm';
import type { Notice } from '../../domain/transfer.js';
import { RECONCILIATION } from '../recon-store.js';
import { Sql, readTime, textOrNull } from '../sql.js';
import { newestById, type Page, type PageRequest } from './newest-first.js';

/**
 * A notice number found missing by a reconciliation run (a `notice-gap` break, subject
 * `notice:<message>:<n>`, src/batch/reconciler.ts), and what became of it.
 */
export interface NoticeGap {
  readonly institution: string;
  /** The kind of notice: the profile's operation (`depositNotice`, `failureNotice`), see {@link noticeKind}. */
  readonly kind: string;
  /** The notice's message in the spec (`depositNotice.request` …). */
  readonly message: string;
  /** The business date it is missing from, YYYY-MM-DD. */
  readonly date: string;
  /** The missing number, as the bank numbers its notices (from 1 every day). */
  readonly seqNo: string;
  /**
   * `open`: still missing; `recovered`: the notice is stored now (a gap request or a late resend brought
   * it); `resolved`: an operator closed it without the notice.
   */
  readonly status: 'open' | 'recovered' | 'resolved';
}

/** The most gaps listed at once, newest day first. */
const MAX_GAPS = 1_000;

/** Notices newest first (by id, the order they were stored in), optionally of one institution. */
export async function noticePage(ds: DataSource, filter: { readonly institution?: string }, page: PageRequest): Promise<Page<Notice>> {
  const sql = new Sql(ds);
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.institution !== undefined) where.push(`institution = $${params.push(filter.institution)}`);
  const rows = await newestById(sql, ds, { listing: 'notices', select: '*', from: 'notices', where, params }, 'id', page);
  return { items: rows.items.map(noticeFromRow), next: rows.next };
}

/**
 * Notice gaps, newest business day first: the `notice-gap` breaks (however resolved), each checked
 * against the notices stored since. The breaks table is small (a row per break ever found).
 */
export async function noticeGaps(ds: DataSource): Promise<NoticeGap[]> {
  const sql = new Sql(ds);
  const rows = await sql.rows(
    ds,
    `SELECT institution, business_date, subject, status, resolved_by FROM recon_breaks WHERE category = 'notice-gap' ORDER BY business_date DESC, institution, subject LIMIT ${MAX_GAPS}`,
    [],
  );
  const gaps = rows.flatMap((r) => {
    const m = /^notice:(.+):(\d+)$/.exec(String(r['subject']));
    if (!m) return [];
    return [{ institution: String(r['institution']), message: m[1]!, date: String(r['business_date']), seqNo: Number(m[2]), open: r['status'] === 'open', resolvedBy: textOrNull(r['resolved_by']) }];
  });
  // The numbers stored since, one query per (institution, message, day) among the gaps: a handful.
  const stored = new Map<string, Set<number>>();
  for (const key of new Set(gaps.map((g) => `${g.institution}\u0000${g.message}\u0000${g.date}`))) {
    const [institution, message, date] = key.split('\u0000') as [string, string, string];
    const numbers = await sql.rows(ds, 'SELECT seq_no FROM notices WHERE institution = $1 AND message = $2 AND send_date = $3', [institution, message, date]);
    stored.set(key, new Set(numbers.map((n) => Number(n['seq_no']))));
  }
  return gaps
    .sort((a, b) => (a.date !== b.date ? (a.date < b.date ? 1 : -1) : a.institution !== b.institution ? (a.institution < b.institution ? -1 : 1) : a.message !== b.message ? (a.message < b.message ? -1 : 1) : a.seqNo - b.seqNo))
    .map((g) => {
      const here = stored.get(`${g.institution}\u0000${g.message}\u0000${g.date}`)?.has(g.seqNo) ?? false;
      // A break that a later run no longer found (resolved by the reconciliation itself): the notice came.
      const status: NoticeGap['status'] = here || (!g.open && g.resolvedBy === RECONCILIATION) ? 'recovered' : g.open ? 'open' : 'resolved';
      return { institution: g.institution, kind: noticeKind(g.message), message: g.message, date: g.date, seqNo: String(g.seqNo), status };
    });
}

/**
 * The kind of a notice from its message: the shipped specs name a notice's message after the profile's
 * operation (`depositNotice.request` is the operation `depositNotice`); a message named otherwise is its
 * own kind. Use InstitutionProfile.operationOf where a profile is at hand.
 */
export function noticeKind(message: string): string {
  return message.endsWith('.request') ? message.slice(0, -'.request'.length) : message;
}

/** A raw `notices` row (either database) as the domain's Notice. */
export function noticeFromRow(r: Record<string, unknown>): Notice {
  return {
    id: Number(r['id']),
    institution: String(r['institution']),
    bankCode: String(r['bank_code']),
    companyId: String(r['company_id']),
    message: String(r['message']),
    sendDate: String(r['send_date']),
    seqNo: String(r['seq_no']),
    fields: String(r['fields']),
    raw: Buffer.from(r['raw'] as Uint8Array),
    transferId: textOrNull(r['transfer_id']),
    receivedAt: readTime(r['received_at']),
  };
}
