import { toJsonFields } from '../codec/json-view.js';
import type { TelegramCodec } from '../codec/telegram-codec.js';
import type { DecodedTelegram } from '../codec/values.js';
import type { Transfer } from '../domain/transfer.js';
import type { InstitutionProfile } from '../institution/profile.js';
import type { InstitutionSettings } from './institution-settings.js';
import type { NoticeStore, SwitchReader } from './ports.js';
import type { Logger } from '../log/logger.js';

/**
 * Notices the bank sends us (4000/100 deposits and withdrawals, 3000/100 other-bank failures). Each is
 * committed to the ledger before the handler resolves, and only then does the link acknowledge it. A notice
 * the bank sends again is stored once and acknowledged again. A failure notice reverses the transfer it
 * names (by its 원거래전문번호), if that transfer succeeded or is still unknown. With the `notices` switch on
 * hold or off, notices are still stored and acknowledged (the bank must not keep resending, and a stored
 * notice loses nothing), but none is applied to a transfer until the switch is on again.
 */
export class NoticeFlow {
  constructor(
    private readonly institution: Pick<InstitutionSettings, 'id' | 'bankCode' | 'companyId'>,
    private readonly profile: InstitutionProfile,
    private readonly codec: TelegramCodec,
    private readonly ledger: NoticeStore,
    private readonly logger: Logger,
    private readonly settled?: (transfer: Transfer) => void,
    private readonly switches?: SwitchReader,
  ) {}

  /** Whether stored notices may be applied to transfers now (the `notices` switch). */
  private applying(): boolean {
    return (this.switches?.state(this.institution.id, 'notices').state ?? 'on') === 'on';
  }

  readonly handle = async (notice: DecodedTelegram, raw: Buffer): Promise<void> => {
    const f = notice.fields;
    const session = this.codec.spec.session!;
    const sendDate = String(f[session.sendDate]);
    let transferId: string | null = null;
    const failure = this.profile.operationOf(notice.message)?.operation === 'failureNotice';
    const canonical = failure ? this.profile.fromWire('failureNotice', 'request', f) : {};
    if (failure) {
      // The notice may come days later; the transfer is the one with that 전문번호 on or before its date.
      const seqNo = String(canonical['originalSeqNo']);
      for (const back of [0, 1, 2, 3]) {
        const date = new Date(Date.parse(sendDate) - back * 86_400_000).toISOString().slice(0, 10);
        const t = await this.ledger.findBySeq(this.institution.id, this.institution.bankCode, this.institution.companyId, date, seqNo);
        if (t) {
          transferId = t.id;
          break;
        }
      }
    }
    // Kept with its secrets (실명번호, CMS codes) overwritten, in the bytes and in the decoded copy.
    const kept = this.codec.redactSecrets(raw);
    const fresh = await this.ledger.recordNotice({
      institution: this.institution.id,
      bankCode: this.profile.bankCodes.fromWire(String(f[session.bankCode])),
      companyId: String(f[session.companyId]),
      message: notice.message,
      sendDate,
      seqNo: String(f[session.seqNo]),
      fields: JSON.stringify(toJsonFields(this.codec.message(notice.message), kept === raw ? f : this.codec.decode(kept).fields)),
      raw: kept,
      transferId,
    });
    if (!transferId) {
      if (failure) this.logger.error('notice.failure-unmatched', { seqNo: canonical['originalSeqNo'], sendDate });
      return;
    }
    if (!fresh) return; // already applied when it first came
    if (!this.applying()) {
      this.logger.warn('notice.held', { seqNo: String(f[session.seqNo]), sendDate, note: 'stored and acknowledged; applied when the notices switch is on' });
      return;
    }
    // A transfer still `sending` is reversed by the sweep once its answer is in (see reverseLate).
    await this.reverse(transferId, `failure notice ${sendDate}#${String(f[session.seqNo])}: ${String(canonical['errorCode'] ?? '')}`);
  };

  /** Reverses transfers whose failure notice is stored but not applied yet (run by the gateway's sweep). */
  async reverseLate(): Promise<number> {
    if (!this.profile.supports('failureNotice') || !this.applying()) return 0;
    const late = await this.ledger.unreversed(this.institution.id, this.profile.message('failureNotice'));
    for (const transferId of late) await this.reverse(transferId, 'failure notice received while the transfer was being sent');
    return late.length;
  }

  private async reverse(transferId: string, reason: string): Promise<void> {
    const reversed = (await this.ledger.move(transferId, 'succeeded', 'reversed', reason)) ?? (await this.ledger.move(transferId, 'unknown', 'reversed', reason));
    if (reversed) {
      this.logger.warn('transfer.reversed', { transferId, reason });
      this.settled?.(reversed);
    }
  }
}
