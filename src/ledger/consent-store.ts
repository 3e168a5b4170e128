import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { canMoveConsent, isFinalConsent, UNSETTLED_CONSENT_STATES, type Consent, type ConsentArsOutcome, type ConsentState } from '../domain/consent.js';
import type { CollectablePayer, PayerConsents } from '../flows/collection-flow.js';
import type { CancelNotice, ConsentPatch, ConsentSecrets, ConsentStore as ConsentStorePort, ConsentTelegram, NewConsent } from '../flows/consent-ports.js';
import { ConsentRequestConflictError } from '../flows/consent-request-conflict-error.js';
import { PayerNumberTakenError } from '../flows/payer-number-taken-error.js';
import { Sql, readTime, textOrNull, timeOrNull } from './sql.js';
import type { Sealer } from './webhook-store.js';
import { inTransaction } from './writes.js';

/** Patch field → column. */
const COLUMN: Readonly<Record<keyof ConsentPatch, string>> = {
  callId: 'call_id',
  arsOutcome: 'ars_outcome',
  recordingId: 'recording_id',
  recordingSha256: 'recording_sha256',
  recordingLocation: 'recording_location',
  recordLocation: 'record_location',
  recordSha256: 'record_sha256',
  confirmedAt: 'confirmed_at',
  consentType: 'consent_type',
  applicationDate: 'application_date',
  responseCode: 'response_code',
  responseMessage: 'response_message',
  registeredAt: 'registered_at',
  withdrawRequestedAt: 'withdraw_requested_at',
  endedAt: 'ended_at',
  retainUntil: 'retain_until',
  needsOperator: 'needs_operator',
  bankAttempts: 'bank_attempts',
};

const INSERT_COLUMNS = [
  'id', 'service', 'request_id', 'request_hash', 'institution', 'payer_number', 'live_payer_number', 'bank_code', 'account',
  'holder_id_no', 'phone', 'phone_masked', 'state', 'bank_attempts', 'needs_operator', 'created_at', 'updated_at',
] as const;

const EVENT = 'INSERT INTO consent_events (consent_id, from_state, to_state, reason, at)';

/** Where a consent of this payer number may still be ended by the bank's 2000/650. */
const CANCELLABLE_AT_BANK: readonly ConsentState[] = ['registering', 'registered', 'withdrawing'];

type Runner = DataSource | EntityManager;

/**
 * Consents in the ledger's database (migration 0009): every write committed before it resolves, every
 * state change conditional on the state it leaves (and on the claim, for a telegram's answer) and recorded
 * in `consent_events` in the same transaction. The payer's id number and phone are sealed ({@link Sealer})
 * and opened only by {@link secrets}. Also the collections' view of consents ({@link collectable}).
 *
 * A payer number is unique among live consents of an institution: `live_payer_number` holds it while the
 * consent lives and is cleared by the statement that ends it, under a unique index.
 */
export class ConsentStore implements ConsentStorePort, PayerConsents {
  private readonly sql: Sql;

  constructor(
    private readonly ds: DataSource,
    private readonly sealer: Sealer,
  ) {
    this.sql = new Sql(ds);
  }

  /** {@inheritDoc ConsentStorePort.create} */
  async create(input: NewConsent): Promise<{ consent: Consent; created: boolean }> {
    const now = new Date();
    const id = randomUUID();
    const values = [
      id, input.service, input.requestId, input.requestHash, input.institution, input.payerNumber, input.payerNumber, input.bankCode, input.account,
      this.sealer.seal(input.holderIdNo), this.sealer.seal(input.phone), input.phoneMasked, 'calling', 0, false, now, now,
    ];
    // Any unique index may refuse it: the request id (then it is the same consent, or a conflict) or the
    // live payer number (taken). Nothing is written either way.
    const insert = `INSERT INTO consents (${INSERT_COLUMNS.join(', ')}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')}) ON CONFLICT DO NOTHING RETURNING id`;
    const reason = `requested by ${input.service}`.slice(0, 300);
    let created: boolean;
    if (this.sql.postgres) {
      const rows = await this.sql.rows(
        this.ds,
        `WITH c AS (${insert}) ${EVENT} SELECT id, NULL, 'calling', CAST($${values.length + 1} AS VARCHAR(300)), CAST($${values.length + 2} AS TIMESTAMPTZ) FROM c RETURNING consent_id`,
        [...values, reason, now],
      );
      created = rows.length === 1;
    } else {
      created = await inTransaction(this.ds, async (m) => {
        if ((await this.sql.rows(m, insert, values)).length !== 1) return false;
        await this.sql.rows(m, `${EVENT} VALUES ($1, NULL, 'calling', $2, $3)`, [id, reason, now]);
        return true;
      });
    }
    if (created) return { consent: (await this.get(id))!, created: true };
    const existing = (await this.sql.rows(this.ds, 'SELECT * FROM consents WHERE service = $1 AND request_id = $2', [input.service, input.requestId]))[0];
    if (!existing) throw new PayerNumberTakenError(input.institution, input.payerNumber);
    // The secrets are compared opened: their hashes would be guessable (a birth date, a phone number).
    const same =
      String(existing['request_hash']) === input.requestHash && this.sealer.open(String(existing['holder_id_no'])) === input.holderIdNo && this.sealer.open(String(existing['phone'])) === input.phone;
    if (!same) throw new ConsentRequestConflictError(input.service, input.requestId, String(existing['id']));
    return { consent: consentFromRow(existing), created: false };
  }

  /** One consent by id, or null. */
  async get(id: string): Promise<Consent | null> {
    const rows = await this.sql.rows(this.ds, 'SELECT * FROM consents WHERE id = $1', [id]);
    return rows[0] ? consentFromRow(rows[0]) : null;
  }

  /** The payer's id number and phone, opened: for a 2000/550 and the evidence record only. */
  async secrets(id: string): Promise<ConsentSecrets | null> {
    const r = (await this.sql.rows(this.ds, 'SELECT holder_id_no, phone FROM consents WHERE id = $1', [id]))[0];
    return r ? { holderIdNo: this.sealer.open(String(r['holder_id_no'])), phone: this.sealer.open(String(r['phone'])) } : null;
  }

  /** {@inheritDoc ConsentStorePort.move} */
  async move(id: string, from: ConsentState, to: ConsentState, reason: string, patch: ConsentPatch = {}, claim?: string): Promise<Consent | null> {
    if (!canMoveConsent(from, to)) throw new Error(`consent store: ${from} → ${to} is not a consent state change`);
    const now = new Date();
    const params: unknown[] = [to, now, id, from, claim ?? null, reason.slice(0, 300)];
    // A final state frees the payer number; a change made under a claim ends the claim.
    const set = `${isFinalConsent(to) ? ', live_payer_number = NULL' : ''}${claim ? ', claim_token = NULL' : ''}${setClause(patch, params)}`;
    const update = `UPDATE consents SET state = $1, updated_at = $2${set}
      WHERE id = $3 AND state = $4 AND (CAST($5 AS VARCHAR(36)) IS NULL OR claim_token = CAST($5 AS VARCHAR(36))) RETURNING *`;
    if (this.sql.postgres) {
      // One statement: the change and its history, or neither.
      const rows = await this.sql.rows(this.ds, `WITH t AS (${update}), e AS (${EVENT} SELECT id, $4, $1, CAST($6 AS VARCHAR(300)), $2 FROM t) SELECT * FROM t`, params);
      return rows[0] ? consentFromRow(rows[0]) : null;
    }
    return inTransaction(this.ds, async (m) => {
      const rows = await this.sql.rows(m, update, params);
      if (!rows[0]) return null;
      await this.sql.rows(m, `${EVENT} VALUES ($1, $2, $3, $4, $5)`, [id, from, to, reason.slice(0, 300), now]);
      return consentFromRow(rows[0]);
    });
  }

  /** {@inheritDoc ConsentStorePort.patch} */
  async patch(id: string, state: ConsentState, patch: ConsentPatch): Promise<boolean> {
    const params: unknown[] = [new Date(), id, state];
    const text = `UPDATE consents SET updated_at = $1${setClause(patch, params)} WHERE id = $2 AND state = $3 RETURNING id`;
    return (await this.write((m) => this.sql.rows(m, text, params))).length === 1;
  }

  /** {@inheritDoc ConsentStorePort.claimAndKeep} */
  async claimAndKeep(id: string, from: ConsentState, to: ConsentState, claim: string, staleBefore: Date, t: ConsentTelegram, reason: string): Promise<boolean> {
    if (!canMoveConsent(from, to)) throw new Error(`consent store: ${from} → ${to} is not a consent state change`);
    const params = [to, claim, t.seqNo, t.sendDate, t.at, id, from, staleBefore, reason.slice(0, 300), t.institution, t.message, t.raw];
    const update = `UPDATE consents SET state = $1, claim_token = $2, seq_no = $3, send_date = $4, bank_attempts = bank_attempts + 1, updated_at = $5
      WHERE id = $6 AND state = $7 AND (claim_token IS NULL OR updated_at <= $8) RETURNING id`;
    // Consent telegrams are kept with the transfers' (no transfer: transfer_id NULL); the consent names
    // its last one by 전문번호 and date, and its events name every one.
    const telegram = 'INSERT INTO telegrams (transfer_id, institution, direction, message, seq_no, send_date, raw, at)';
    if (this.sql.postgres) {
      const rows = await this.sql.rows(
        this.ds,
        `WITH u AS (${update}), e AS (${EVENT} SELECT id, $7, $1, CAST($9 AS VARCHAR(300)), $5 FROM u)
         ${telegram} SELECT NULL, CAST($10 AS VARCHAR(32)), 'out', CAST($11 AS VARCHAR(64)), $3, $4, CAST($12 AS BYTEA), $5 FROM u RETURNING id`,
        params,
      );
      return rows.length === 1;
    }
    return inTransaction(this.ds, async (m) => {
      if ((await this.sql.rows(m, update, params)).length !== 1) return false;
      await this.sql.rows(m, `${EVENT} VALUES ($1, $2, $3, $4, $5)`, [id, from, to, reason.slice(0, 300), t.at]);
      await this.sql.rows(m, `${telegram} VALUES (NULL, $1, 'out', $2, $3, $4, $5, $6)`, [t.institution, t.message, t.seqNo, t.sendDate, t.raw, t.at]);
      return true;
    });
  }

  /** {@inheritDoc ConsentStorePort.release} */
  async release(id: string, claim: string, patch: ConsentPatch = {}): Promise<boolean> {
    const params: unknown[] = [new Date(), id, claim];
    const text = `UPDATE consents SET claim_token = NULL, updated_at = $1${setClause(patch, params)} WHERE id = $2 AND claim_token = $3 RETURNING id`;
    return (await this.write((m) => this.sql.rows(m, text, params))).length === 1;
  }

  /** {@inheritDoc ConsentStorePort.settleRegistration} */
  async settleRegistration(id: string, claim: string, reason: string, patch: ConsentPatch): Promise<Consent | null> {
    const now = new Date();
    const params: unknown[] = [now, id, claim, reason.slice(0, 300)];
    // The withdrawal asked for meanwhile decides in this very statement: never `registered` after it.
    const update = `UPDATE consents SET state = CASE WHEN withdraw_requested_at IS NULL THEN 'registered' ELSE 'withdrawing' END,
        claim_token = NULL, bank_attempts = 0, updated_at = $1${setClause(patch, params)}
      WHERE id = $2 AND state = 'registering' AND claim_token = $3 RETURNING *`;
    if (this.sql.postgres) {
      const rows = await this.sql.rows(this.ds, `WITH t AS (${update}), e AS (${EVENT} SELECT id, 'registering', state, CAST($4 AS VARCHAR(300)), $1 FROM t) SELECT * FROM t`, params);
      return rows[0] ? consentFromRow(rows[0]) : null;
    }
    return inTransaction(this.ds, async (m) => {
      const rows = await this.sql.rows(m, update, params);
      if (!rows[0]) return null;
      await this.sql.rows(m, `${EVENT} VALUES ($1, 'registering', $2, $3, $4)`, [id, String(rows[0]['state']), reason.slice(0, 300), now]);
      return consentFromRow(rows[0]);
    });
  }

  /** {@inheritDoc ConsentStorePort.requestWithdrawal} */
  async requestWithdrawal(id: string, at: Date): Promise<boolean> {
    const params = [at, id, 'withdrawal asked while the registration is on its way: applied when the bank answers'];
    const update = `UPDATE consents SET withdraw_requested_at = COALESCE(withdraw_requested_at, $1), updated_at = $1 WHERE id = $2 AND state = 'registering' RETURNING id`;
    if (this.sql.postgres) {
      const rows = await this.sql.rows(this.ds, `WITH t AS (${update}) ${EVENT} SELECT id, 'registering', 'registering', CAST($3 AS VARCHAR(300)), $1 FROM t RETURNING consent_id`, params);
      return rows.length === 1;
    }
    return inTransaction(this.ds, async (m) => {
      if ((await this.sql.rows(m, update, params.slice(0, 2))).length !== 1) return false;
      await this.sql.rows(m, `${EVENT} VALUES ($1, 'registering', 'registering', $2, $3)`, [id, params[2], at]);
      return true;
    });
  }

  /** {@inheritDoc ConsentStorePort.recordCancelNotice} */
  async recordCancelNotice(n: CancelNotice, reason: string, patch: ConsentPatch): Promise<{ fresh: boolean; consent: Consent | null }> {
    const now = new Date();
    return inTransaction(this.ds, async (m) => {
      // The notice first: a write, so that SQLite takes its write lock before anything is read.
      const inserted = await this.sql.rows(
        m,
        `INSERT INTO consent_notices (institution, bank_code, company_id, message, send_date, seq_no, payer_number, cancels, consent_id, fields, raw, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10, $11) ON CONFLICT DO NOTHING RETURNING id`,
        [n.institution, n.bankCode, n.companyId, n.message, n.sendDate, n.seqNo, n.payerNumber, n.cancels, n.fields, n.raw, now],
      );
      const key = [n.institution, n.bankCode, n.companyId, n.message, n.sendDate, n.seqNo];
      const noticeWhere = 'institution = $1 AND bank_code = $2 AND company_id = $3 AND message = $4 AND send_date = $5 AND seq_no = $6';
      if (inserted.length === 0) {
        // Sent again: it was applied when it first came; say which consent it ended then.
        const first = (await this.sql.rows(m, `SELECT consent_id FROM consent_notices WHERE ${noticeWhere}`, key))[0];
        const consentId = first?.['consent_id'];
        const rows = consentId ? await this.sql.rows(m, 'SELECT * FROM consents WHERE id = $1', [consentId]) : [];
        return { fresh: false, consent: rows[0] ? consentFromRow(rows[0]) : null };
      }
      if (!n.cancels) return { fresh: true, consent: null };
      const live = (
        await this.sql.rows(m, `SELECT id, state FROM consents WHERE institution = $1 AND live_payer_number = $2${this.sql.postgres ? ' FOR UPDATE' : ''}`, [n.institution, n.payerNumber])
      )[0];
      const from = live ? (String(live['state']) as ConsentState) : undefined;
      if (!live || !from || !CANCELLABLE_AT_BANK.includes(from)) return { fresh: true, consent: null };
      const params: unknown[] = ['cancelled-at-bank', now, live['id'], from];
      const rows = await this.sql.rows(
        m,
        `UPDATE consents SET state = $1, updated_at = $2, live_payer_number = NULL, claim_token = NULL${setClause(patch, params)} WHERE id = $3 AND state = $4 RETURNING *`,
        params,
      );
      if (!rows[0]) return { fresh: true, consent: null };
      await this.sql.rows(m, `${EVENT} VALUES ($1, $2, 'cancelled-at-bank', $3, $4)`, [live['id'], from, reason.slice(0, 300), now]);
      await this.sql.rows(m, `UPDATE consent_notices SET consent_id = $7 WHERE ${noticeWhere}`, [...key, live['id']]);
      return { fresh: true, consent: consentFromRow(rows[0]) };
    });
  }

  /** {@inheritDoc ConsentStorePort.unsettled} */
  async unsettled(institution: string, minAgeMs: number): Promise<Consent[]> {
    const states = UNSETTLED_CONSENT_STATES.map((_, i) => `$${i + 3}`).join(', ');
    const rows = await this.sql.rows(this.ds, `SELECT * FROM consents WHERE institution = $1 AND updated_at <= $2 AND state IN (${states})`, [
      institution,
      new Date(Date.now() - minAgeMs),
      ...UNSETTLED_CONSENT_STATES,
    ]);
    return rows.map(consentFromRow);
  }

  /** {@inheritDoc ConsentStorePort.evidence} */
  async evidence(range: { readonly start: Date; readonly end: Date; readonly service?: string; readonly limit: number }): Promise<Consent[]> {
    const params: unknown[] = [range.start, range.end];
    const service = range.service === undefined ? '' : ` AND service = $${params.push(range.service)}`;
    const rows = await this.sql.rows(
      this.ds,
      `SELECT * FROM consents WHERE confirmed_at >= $1 AND confirmed_at < $2${service} ORDER BY confirmed_at, id LIMIT ${Math.max(0, Math.floor(range.limit))}`,
      params,
    );
    return rows.map(consentFromRow);
  }

  /** The history of a consent, oldest first (the audit; tests assert the order of changes by it). */
  async events(consentId: string): Promise<{ fromState: ConsentState | null; toState: ConsentState; reason: string; at: Date }[]> {
    const rows = await this.sql.rows(this.ds, 'SELECT * FROM consent_events WHERE consent_id = $1 ORDER BY id', [consentId]);
    return rows.map((r) => ({ fromState: (r['from_state'] ?? null) as ConsentState | null, toState: String(r['to_state']) as ConsentState, reason: String(r['reason']), at: readTime(r['at']) }));
  }

  /** Whether a collection may be sent under this consent now (ConsentCheck, for the collections' sender). */
  async isRegistered(id: string): Promise<boolean> {
    const rows = await this.sql.rows(this.ds, 'SELECT state FROM consents WHERE id = $1', [id]);
    return rows[0]?.['state'] === 'registered';
  }

  /**
   * The collections flow's question: may `service` collect under this consent (named by id, or by its
   * payer number at `institution`) now? Only while it is `registered`; otherwise why not. The collection's
   * own claim checks the state again in its statement: this answer is for refusing early, not for safety.
   */
  async collectable(service: string, institution: string, ref: { consentId?: string; payerNumber?: string }): Promise<CollectablePayer | { refused: string }> {
    const rows = ref.consentId
      ? await this.sql.rows(this.ds, 'SELECT * FROM consents WHERE id = $1 AND service = $2', [ref.consentId, service])
      : // the live consent of the payer number, or else its latest (to say why it is not live)
        await this.sql.rows(this.ds, 'SELECT * FROM consents WHERE institution = $1 AND payer_number = $2 AND service = $3 ORDER BY (live_payer_number IS NULL), created_at DESC LIMIT 1', [
          institution,
          ref.payerNumber,
          service,
        ]);
    const r = rows[0];
    if (!r) return { refused: 'no such consent of this service' };
    const c = consentFromRow(r);
    if (c.institution !== institution) return { refused: `the consent is registered through ${c.institution}, not ${institution}` };
    if (c.state !== 'registered') return { refused: `the consent is ${c.state}` };
    return { consentId: c.id, payerNumber: c.payerNumber, account: c.account };
  }

  /** A write of one statement: directly on PostgreSQL, through the transaction chain on SQLite. */
  private write<T>(fn: (m: Runner) => Promise<T>): Promise<T> {
    return this.sql.postgres ? fn(this.ds) : inTransaction(this.ds, fn);
  }
}

/** `, column = $n …` for the fields of `patch`, appending their values to `params`. */
function setClause(patch: ConsentPatch, params: unknown[]): string {
  return (Object.keys(patch) as (keyof ConsentPatch)[])
    .filter((k) => patch[k] !== undefined)
    .map((k) => {
      params.push(patch[k] ?? null);
      return `, ${COLUMN[k]} = $${params.length}`;
    })
    .join('');
}


/** A raw `consents` row (either database) as the domain's Consent: never its sealed secrets. */
export function consentFromRow(r: Record<string, unknown>): Consent {
  const recordingId = textOrNull(r['recording_id']);
  const confirmedAt = timeOrNull(r['confirmed_at']);
  const code = textOrNull(r['response_code']);
  return {
    id: String(r['id']),
    service: String(r['service']),
    requestId: String(r['request_id']),
    institution: String(r['institution']),
    payerNumber: String(r['payer_number']),
    bankCode: String(r['bank_code']),
    account: String(r['account']),
    phoneMasked: String(r['phone_masked']),
    state: String(r['state']) as ConsentState,
    callId: textOrNull(r['call_id']),
    arsOutcome: textOrNull(r['ars_outcome']) as ConsentArsOutcome | null,
    evidence:
      recordingId && confirmedAt
        ? {
            callId: String(r['call_id']),
            recordingId,
            recordingSha256: String(r['recording_sha256']),
            recordingLocation: String(r['recording_location']),
            recordLocation: String(r['record_location']),
            recordSha256: String(r['record_sha256']),
            confirmedAt,
            consentType: String(r['consent_type'] ?? ''),
          }
        : null,
    applicationDate: textOrNull(r['application_date']),
    seqNo: textOrNull(r['seq_no']),
    sendDate: textOrNull(r['send_date']),
    bankAttempts: Number(r['bank_attempts']),
    bankAnswer: code === null ? null : { code, message: String(r['response_message'] ?? '') },
    registeredAt: timeOrNull(r['registered_at']),
    withdrawRequestedAt: timeOrNull(r['withdraw_requested_at']),
    endedAt: timeOrNull(r['ended_at']),
    retainUntil: timeOrNull(r['retain_until']),
    needsOperator: r['needs_operator'] === true || r['needs_operator'] === 1,
    createdAt: readTime(r['created_at']),
    updatedAt: readTime(r['updated_at']),
  };
}
