import type { TelegramCodec } from '../codec/telegram-codec.js';
import type { FieldInput } from '../codec/values.js';
import type { InstitutionProfile } from '../institution/profile.js';
import type { NoticeFlow } from './notice-flow.js';
import type { Requester } from './ports.js';

/** The notices whose numbering has a gap request (결번요청) in the vocabulary. */
export type GapNotice = 'depositNotice' | 'failureNotice';

const GAP_REQUEST = { depositNotice: 'depositGap', failureNotice: 'failureGap' } as const;

export type GapOutcome = 'recovered' | 'not-found' | 'unavailable' | 'unsupported';

/**
 * Asks the bank again for a notice we never received (결번요청: the missing number goes in the request's
 * header, where the 전문번호 would be), and applies the answer exactly as the live notice would have been
 * applied: stored once through the notice flow, reversing the transfer a failure notice names. The gap
 * answer itself is kept as traffic like every telegram; the stored notice is the notice's own layout
 * rebuilt from the answer's fields, with the number and date it was missing under.
 */
export class NoticeGapFlow {
  constructor(
    private readonly profile: InstitutionProfile,
    private readonly codec: TelegramCodec,
    private readonly link: Requester,
    private readonly notices: Pick<NoticeFlow, 'handle'>,
  ) {}

  /** Whether the institution has a gap request for this kind of notice. */
  supports(kind: GapNotice): boolean {
    return this.profile.supports(kind) && this.profile.supports(GAP_REQUEST[kind]);
  }

  /** Asks for notice `seqNo` of `date`; `recovered` once it is stored and applied. */
  async recover(kind: GapNotice, date: string, seqNo: number): Promise<GapOutcome> {
    if (!this.supports(kind)) return 'unsupported';
    const op = GAP_REQUEST[kind];
    const session = this.codec.spec.session!;
    const fields: Record<string, FieldInput> = { ...this.profile.toWire(op, 'request', op === 'depositGap' ? { noticeDate: date } : {}), [session.seqNo]: String(seqNo) };
    const o = await this.link.request(this.profile.message(op), fields, { timeoutMs: 15_000 });
    if (o.status !== 'answered') return 'unavailable';
    if (!session.successCodes.includes(o.responseCode)) return 'not-found';
    const body = this.profile.fromWire(op, 'answer', o.response.fields);
    const a = o.response.fields;
    const raw = this.codec.encode(this.profile.message(kind), {
      ...this.profile.toWire(kind, 'request', body),
      [session.companyId]: a[session.companyId] as FieldInput,
      [session.bankCode]: a[session.bankCode] as FieldInput,
      [session.sendDate]: date,
      [session.sendTime]: a[session.sendTime] as FieldInput,
      [session.seqNo]: String(seqNo),
    });
    await this.notices.handle(this.codec.decode(raw), raw);
    return 'recovered';
  }
}
