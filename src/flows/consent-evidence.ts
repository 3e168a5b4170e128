import { maskText } from '../codec/mask.js';
import { ARS_CONSENT_TYPE, type Consent } from '../domain/consent.js';
import { ValidationError } from './validation-error.js';

/**
 * Consent evidence: the record kept beside each recording in the evidence store, and the export the
 * regulator is sent (금융결제원's FB0110 identification file, due the next business day).
 *
 * FB0110's layout is not public. So the export is our own documented layout — `consents.csv` and
 * `consents.json` (one row per consent whose payer confirmed in the date range, columns
 * {@link EXPORT_COLUMNS}), with each recording and its evidence record beside them — from which the
 * FB0110 file, or whatever the bank or Hecto asks for, can be made by hand or by a later converter.
 */

/** The format of an evidence record; a later change of its fields gets a new number. */
export const EVIDENCE_RECORD_FORMAT = 'firmbank-consent-evidence/1';
/** The format of an export (`consents.json`). */
export const EXPORT_FORMAT = 'firmbank-consent-export/1';
export const EXPORT_NOTE =
  "FB0110 (금융결제원 동의자료 식별자료) has no public layout: this is firmbank's own documented layout (see src/flows/consent-evidence.ts), " +
  'one row per consent confirmed in the range, with its recording (SHA-256 given) and its evidence record.';

/**
 * What the evidence store keeps beside a recording: everything the consent was given for, the phone number
 * in clear (the one place it is: the store is private and kept for the retention period), and the
 * recording's SHA-256. Deterministic for one call, so that writing it again after a crash writes the same
 * bytes (the store refuses other bytes under the same key).
 */
export interface EvidenceRecord {
  readonly format: typeof EVIDENCE_RECORD_FORMAT;
  readonly consentId: string;
  readonly service: string;
  readonly institution: string;
  readonly companyId: string;
  readonly payerNumber: string;
  readonly bankCode: string;
  readonly account: string;
  /** In clear: the regulator's evidence needs the number that was called. */
  readonly phone: string;
  /** 동의자료구분 5 (ARS). */
  readonly consentType: string;
  readonly confirmedAt: string;
  readonly ars: { readonly callId: string; readonly recordingId: string; readonly outcome: 'confirmed' };
  readonly recording: { readonly location: string; readonly sha256: string; readonly bytes: number; readonly contentType: string };
  /** What the voice read out (masked account, as read). */
  readonly script: { readonly company: string; readonly bankName: string; readonly accountMasked: string; readonly payerNumber: string };
}

/** The keys a consent's evidence is kept under (flat names: an evidence key may not hold `/`). */
export function evidenceKeys(consentId: string, recording: Buffer): { recording: string; record: string } {
  return { recording: `consent-${consentId}-recording${recordingType(recording).extension}`, record: `consent-${consentId}-evidence.json` };
}

/** A recording's type from its first bytes (providers send WAV or MP3); anything else is kept as it came. */
export function recordingType(bytes: Buffer): { extension: string; contentType: string } {
  if (bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WAVE') return { extension: '.wav', contentType: 'audio/wav' };
  if (bytes.subarray(0, 3).toString('latin1') === 'ID3' || (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0)) return { extension: '.mp3', contentType: 'audio/mpeg' };
  return { extension: '.bin', contentType: 'application/octet-stream' };
}

/** The JSON bytes of an evidence record, as kept. */
export function evidenceRecordBytes(record: EvidenceRecord): Buffer {
  return Buffer.from(JSON.stringify(record, null, 2) + '\n', 'utf8');
}

/** The columns of `consents.csv` (and the keys of each item of `consents.json`), in order. */
export const EXPORT_COLUMNS = [
  'consentId',
  'service',
  'requestId',
  'institution',
  'payerNumber',
  'bankCode',
  'account',
  'phone',
  'consentType',
  'confirmedAt',
  'callId',
  'recordingId',
  'recordingSha256',
  'recordingFile',
  'evidenceFile',
  'state',
  'registeredAt',
  'endedAt',
  'retainUntil',
] as const;

export type ExportItem = Readonly<Record<(typeof EXPORT_COLUMNS)[number], string>>;

/**
 * One consent as an export lists it. The phone is masked (its clear form is in the evidence record file,
 * copied beside); the account is in clear for the CLI's export (a private folder for the regulator) and
 * masked in the API's (`maskAccount`). Files are named relative to the export folder.
 */
export function exportItem(c: Consent, options: { readonly maskAccount: boolean; readonly recordingFile: string; readonly evidenceFile: string }): ExportItem {
  const e = c.evidence!;
  const time = (d: Date | null) => (d ? d.toISOString() : '');
  return {
    consentId: c.id,
    service: c.service,
    requestId: c.requestId,
    institution: c.institution,
    payerNumber: c.payerNumber,
    bankCode: c.bankCode,
    account: options.maskAccount ? maskText('account', c.account) : c.account,
    phone: c.phoneMasked,
    consentType: e.consentType || ARS_CONSENT_TYPE,
    confirmedAt: e.confirmedAt.toISOString(),
    callId: e.callId,
    recordingId: e.recordingId,
    recordingSha256: e.recordingSha256,
    recordingFile: options.recordingFile,
    evidenceFile: options.evidenceFile,
    state: c.state,
    registeredAt: time(c.registeredAt),
    endedAt: time(c.endedAt),
    retainUntil: time(c.retainUntil),
  };
}

/** Longest range one export may cover. */
export const MAX_EXPORT_DAYS = 92;

/**
 * Checks an export's date range (KST calendar dates, both included) and returns the instants it spans:
 * from 00:00 KST of `from` to 00:00 KST of the day after `to`.
 *
 * @throws ValidationError naming `from` or `to`.
 */
export function exportRange(from: string | undefined, to: string | undefined): { from: string; to: string; start: Date; end: Date } {
  const start = kstMidnight('from', from);
  const last = kstMidnight('to', to);
  if (last.getTime() < start.getTime()) throw new ValidationError('to', `must not be before from (${from})`);
  const days = (last.getTime() - start.getTime()) / 86_400_000 + 1;
  if (days > MAX_EXPORT_DAYS) throw new ValidationError('to', `a range covers ${MAX_EXPORT_DAYS} days at most (this one ${days})`);
  return { from: from!, to: to!, start, end: new Date(last.getTime() + 86_400_000) };
}

function kstMidnight(field: string, date: string | undefined): Date {
  if (date === undefined) throw new ValidationError(field, 'is required: a date YYYY-MM-DD (Korean time)');
  const at = Date.parse(`${date}T00:00:00+09:00`);
  // not a day at all (2026-13-01), or not one of that month (2026-02-30)
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(at) || new Date(at + 9 * 3_600_000).toISOString().slice(0, 10) !== date) throw new ValidationError(field, `${JSON.stringify(date)} is not a date YYYY-MM-DD`);
  return new Date(at);
}
