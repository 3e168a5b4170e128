import { join } from 'node:path';
import type { Decimal } from 'decimal.js';
import type { BankFileSpec } from '../bankfile/bank-file-spec.js';
import type { BankRecordInput } from '../bankfile/bank-record.js';
import { canonicalWidth } from '../bankfile/mapping-source.js';
import { writeBankFile, type WrittenBankFile } from '../bankfile/write-bank-file.js';
import type { FieldInput } from '../codec/values.js';
import { KFTC_AS_IS, loadBankCodeMap, type BankCodeMap } from '../institution/bank-code-map.js';
import { projectRoot } from '../paths.js';
import { SimUsageError } from './sim-usage-error.js';

/** The simulated bank's business day, as its result file's header needs it. */
export interface SimDay {
  /** YYYY-MM-DD: the file's date. */
  readonly date: string;
  /** Header fields by spec name (company code, parent account …), as the codec takes them. */
  readonly header?: Readonly<Record<string, FieldInput>>;
  /**
   * Bank codes as the file writes them. Default: a 3-digit file takes KFTC codes as they are; a 2-digit
   * file (the LG CNS family) maps them through specs/codes/lgcns-bank-codes.csv (004 → 04).
   */
  readonly bankCodes?: BankCodeMap;
}

/** A transfer the simulated bank processed (the shape of the simulator ledger's `SimTransfer`). */
export interface SimDayTransfer {
  /** YYYY-MM-DD (or YYYYMMDD): the send date of the transfer's telegram. */
  readonly date: string;
  readonly seqNo: string;
  /** 3-digit KFTC code. */
  readonly depositBankCode: string;
  readonly depositAccount: string;
  readonly amount: Decimal;
  readonly fee: Decimal;
  /** The response code it was answered with (the 불능코드 of a rejected one). */
  readonly code: string;
  readonly state: 'applied' | 'rejected' | 'reversed';
}

const LGCNS_BANK_CODES = 'specs/codes/lgcns-bank-codes.csv';

/**
 * Writes the transfers the simulated bank processed as the institution's result file for `day`: one data
 * record each, in (date, 전문번호) order; applied → succeeded, rejected or reversed → failed with its code;
 * bank codes in the file's width. The trailer's totals are the writer's. What the file has no place for
 * (a 전문번호 in a Hana file, a fee) is left out, as the real bank's file would.
 */
export async function writeSimDayFile(path: string, spec: BankFileSpec, day: SimDay, transfers: Iterable<SimDayTransfer>): Promise<WrittenBankFile> {
  const width = canonicalWidth(spec.layout, spec.telegram.messages, 'bankCode');
  const codes = day.bankCodes ?? (width === 2 ? loadBankCodeMap(join(projectRoot(), LGCNS_BANK_CODES), 2) : KFTC_AS_IS);
  const sorted = [...transfers].map((t) => ({ t, date: isoDate(t.date) })).sort((a, b) => (a.date === b.date ? Number(a.t.seqNo) - Number(b.t.seqNo) : a.date < b.date ? -1 : 1));
  const records = sorted.map(({ t, date }): BankRecordInput => {
    const bankCode = codes.toWire(t.depositBankCode);
    if (bankCode === undefined) throw new SimUsageError(`transfer ${date} ${t.seqNo}: bank ${t.depositBankCode} has no ${codes.width}-digit code in this file`);
    return {
      sendDate: date,
      seqNo: t.seqNo,
      bankCode,
      account: t.depositAccount,
      amount: t.amount,
      fee: t.fee,
      outcome: t.state === 'applied' ? 'succeeded' : 'failed',
      code: t.code,
    };
  });
  // A file whose header carries the send date (Hana, KFTC) has one date for the day.
  const headerSendDate = spec.layout.records.sendDate?.record === 'header' && spec.layout.records.sendDate.field !== spec.layout.records.fileDate?.field;
  return writeBankFile(path, spec, {
    header: day.header ?? {},
    fileDate: isoDate(day.date),
    ...(headerSendDate ? { sendDate: isoDate(day.date) } : {}),
    records,
  });
}

function isoDate(d: string): string {
  if (/^\d{8}$/.test(d)) return `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`;
  if (/^\d{4}-\d{2}-\d{2}$/.test(d)) return d;
  throw new SimUsageError(`${JSON.stringify(d)} is not a date (YYYY-MM-DD)`);
}
