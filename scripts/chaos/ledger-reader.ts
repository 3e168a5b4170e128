import type { DataSource } from 'typeorm';
import { openDatabase } from '../../src/ledger/data-source.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { Sql } from '../../src/ledger/sql.js';
import type { TransferState } from '../../src/domain/transfer-state.js';

/** What the verdict needs of one of our transfers, as plain values (won as decimal strings). */
export interface OurTransfer {
  readonly id: string;
  readonly requestId: string;
  readonly state: TransferState;
  readonly seqNo: string | null;
  readonly sendDate: string | null;
  readonly amount: string;
  readonly fee: string | null;
  readonly depositBankCode: string;
  readonly depositAccount: string;
  readonly responseCode: string | null;
  readonly inquiries: number;
  readonly needsOperator: boolean;
}

/** A telegram we sent, as the ledger kept it. */
export interface SentTelegram {
  readonly transferId: string | null;
  readonly message: string;
  readonly sendDate: string | null;
  readonly seqNo: string | null;
}

/** An outbox event of a service, as the tables hold it: `position` is null until the sequencer numbered it. */
export interface StoredEvent {
  /** `evt_<id>`, as in the feed, the webhook body and `Firmbank-Event-Id`. */
  readonly id: string;
  readonly type: string;
  readonly aggregate: string;
  readonly position: number | null;
}

/** One event's delivery to a webhook endpoint, as the dispatcher left it. */
export interface StoredDelivery {
  readonly eventId: string;
  readonly status: string;
  readonly attempts: number;
  readonly lastError: string | null;
}

const text = (v: unknown) => (v === null || v === undefined ? null : String(v));

/**
 * Reads the run's ledger (PostgreSQL or SQLite) the way an auditor would: straight from the tables, not
 * through the gateway's API. A transfer's events and telegrams come from {@link Ledger} itself.
 */
export class LedgerReader {
  readonly ledger: Ledger;
  private readonly sql: Sql;

  private constructor(private readonly ds: DataSource) {
    this.sql = new Sql(ds);
    this.ledger = new Ledger(ds);
  }

  static async open(url: string): Promise<LedgerReader> {
    return new LedgerReader(await openDatabase({ url }));
  }

  /** How many transfers there are, how many are not final yet, and how many of those are flagged for an operator. */
  async unsettled(): Promise<{ open: number; flagged: number; total: number }> {
    const rows = await this.sql.rows(
      this.ds,
      `SELECT COUNT(*) AS total,
              SUM(CASE WHEN state IN ('requested', 'sending', 'unknown') THEN 1 ELSE 0 END) AS open,
              SUM(CASE WHEN state IN ('requested', 'sending', 'unknown') AND needs_operator = $1 THEN 1 ELSE 0 END) AS flagged
         FROM transfers`,
      [true],
    );
    const r = rows[0] ?? {};
    return { total: Number(r['total'] ?? 0), open: Number(r['open'] ?? 0), flagged: Number(r['flagged'] ?? 0) };
  }

  async transfers(): Promise<OurTransfer[]> {
    const rows = await this.sql.rows(this.ds, 'SELECT * FROM transfers', []);
    return rows.map((r) => ({
      id: String(r['id']),
      requestId: String(r['request_id']),
      state: String(r['state']) as TransferState,
      seqNo: text(r['seq_no']),
      sendDate: text(r['send_date']),
      amount: String(r['amount']),
      fee: text(r['fee']),
      depositBankCode: String(r['deposit_bank_code']),
      depositAccount: String(r['deposit_account']),
      responseCode: text(r['response_code']),
      inquiries: Number(r['inquiries']),
      needsOperator: r['needs_operator'] === true || r['needs_operator'] === 1,
    }));
  }

  /** Every telegram we sent, without its bytes. */
  async sent(): Promise<SentTelegram[]> {
    const rows = await this.sql.rows(this.ds, `SELECT transfer_id, message, send_date, seq_no FROM telegrams WHERE direction = 'out'`, []);
    return rows.map((r) => ({ transferId: text(r['transfer_id']), message: String(r['message']), sendDate: text(r['send_date']), seqNo: text(r['seq_no']) }));
  }

  /**
   * Per transfer, the moves the services must hear of (to succeeded, failed, reversed, from its history)
   * and the outbox events it has, each in the order written.
   */
  async outbox(): Promise<Map<string, { moves: string[]; events: string[] }>> {
    const out = new Map<string, { moves: string[]; events: string[] }>();
    const entry = (id: string) => out.get(id) ?? out.set(id, { moves: [], events: [] }).get(id)!;
    for (const r of await this.sql.rows(this.ds, `SELECT transfer_id, to_state FROM transfer_events WHERE to_state IN ('succeeded', 'failed', 'reversed') ORDER BY id`, [])) {
      entry(String(r['transfer_id'])).moves.push(`transfer.${String(r['to_state'])}`);
    }
    for (const r of await this.sql.rows(this.ds, `SELECT aggregate, type FROM events WHERE aggregate LIKE 'transfer:%' ORDER BY id`, [])) {
      entry(String(r['aggregate']).slice('transfer:'.length)).events.push(String(r['type']));
    }
    return out;
  }

  /** A service's events, in position order (those not numbered yet last). */
  async serviceEvents(service: string): Promise<StoredEvent[]> {
    const rows = await this.sql.rows(
      this.ds,
      'SELECT id, type, aggregate, position FROM events WHERE service = $1 ORDER BY CASE WHEN position IS NULL THEN 1 ELSE 0 END, position, id',
      [service],
    );
    return rows.map((r) => ({ id: `evt_${String(r['id'])}`, type: String(r['type']), aggregate: String(r['aggregate']), position: r['position'] === null || r['position'] === undefined ? null : Number(r['position']) }));
  }

  /** Every webhook delivery of the run (it registers one endpoint). */
  async webhookDeliveries(): Promise<StoredDelivery[]> {
    const rows = await this.sql.rows(this.ds, 'SELECT event_id, status, attempts, last_error FROM webhook_deliveries ORDER BY id', []);
    return rows.map((r) => ({ eventId: `evt_${String(r['event_id'])}`, status: String(r['status']), attempts: Number(r['attempts']), lastError: text(r['last_error']) }));
  }

  /**
   * How far delivery has come: the service's events of `types`, how many have a delivery (the fan-out
   * made it), and how many of those are not delivered or dead yet. Counts only: asked every half second.
   */
  async deliveryBacklog(service: string, types: readonly string[]): Promise<{ events: number; deliveries: number; pending: number }> {
    const rows = await this.sql.rows(
      this.ds,
      `SELECT (SELECT COUNT(*) FROM events WHERE service = $1 AND type IN (${types.map((_, i) => `$${i + 2}`).join(', ')})) AS events,
              COUNT(*) AS deliveries, SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END) AS pending
         FROM webhook_deliveries`,
      [service, ...types],
    );
    const r = rows[0] ?? {};
    return { events: Number(r['events'] ?? 0), deliveries: Number(r['deliveries'] ?? 0), pending: Number(r['pending'] ?? 0) };
  }

  async close(): Promise<void> {
    await this.ds.destroy();
  }
}
