import { Decimal } from 'decimal.js';
import type { DataSource } from 'typeorm';
import type { TransferState } from '../../src/domain/transfer-state.js';
import { Sql } from '../../src/ledger/sql.js';

/** A sent transfer as reconciliation tests write it straight into `transfers`. */
export interface DayRow {
  readonly id: string;
  readonly service?: string;
  readonly institution?: string;
  readonly seqNo: string;
  readonly sendDate: string;
  readonly depositBankCode?: string;
  readonly amount: number;
  readonly fee?: number | null;
  readonly state: TransferState;
}

const COLUMNS = [
  'id', 'service', 'request_id', 'request_hash', 'institution', 'bank_code', 'company_id', 'withdraw_account', 'deposit_bank_code', 'deposit_account',
  'amount', 'fee', 'memo', 'recipient_name', 'state', 'seq_no', 'send_date', 'inquiries', 'no_record_answers', 'needs_operator', 'created_at', 'updated_at',
] as const;

/** Inserts rows (bank 004, company FIRMBANK01, institution hecto unless given), a few hundred per statement. */
export async function insertDayRows(ds: DataSource, rows: readonly DayRow[]): Promise<void> {
  const sql = new Sql(ds);
  for (let i = 0; i < rows.length; i += 500) {
    const params: unknown[] = [];
    const tuples = rows.slice(i, i + 500).map((r) => {
      const values = [
        r.id, r.service ?? 'svc', `req-${r.id}`, 'h', r.institution ?? 'hecto', '004', 'FIRMBANK01', '12345678901234', r.depositBankCode ?? '088', '110123456789',
        r.amount, r.fee ?? null, '', '', r.state, r.seqNo, r.sendDate, 0, 0, false, new Date(), new Date(),
      ];
      const at = params.length;
      params.push(...values);
      return `(${values.map((_, k) => `$${at + k + 1}`).join(', ')})`;
    });
    await sql.rows(ds, `INSERT INTO transfers (${COLUMNS.join(', ')}) VALUES ${tuples.join(', ')}`, params);
  }
}

/** A transfer as a service would ask for it (add `service` and `requestId`), for tests that go through `Ledger.createTransfer`. */
export const SAMPLE_TRANSFER = {
  requestHash: 'h',
  institution: 'hecto',
  bankCode: '004',
  companyId: 'FIRMBANK01',
  withdrawAccount: '12345678901234',
  depositBankCode: '088',
  depositAccount: '110123456789',
  amount: new Decimal(15_000),
  memo: '급여',
  recipientName: '홍길동',
};

/** Moves a transfer's state behind the flows' back (what a later inquiry would have done). */
export async function setState(ds: DataSource, id: string, state: TransferState): Promise<void> {
  await new Sql(ds).rows(ds, 'UPDATE transfers SET state = $1 WHERE id = $2', [state, id]);
}
