import type { TelegramCodec } from '../codec/telegram-codec.js';
import type { Transfer } from '../domain/transfer.js';
import type { InstitutionProfile } from '../institution/profile.js';
import { collectionHash, validateCollection, type CollectionInput } from './collection-input.js';
import { ConsentNotLiveError } from './consent-not-live-error.js';
import type { InstitutionSettings } from './institution-settings.js';
import type { SwitchReader, TransferJobs, TransferStore } from './ports.js';
import { SwitchedOffError } from './switched-off-error.js';
import type { ServiceIdentity } from './transfer-flow.js';

/** A registered payer, as a collection needs it. */
export interface CollectablePayer {
  readonly consentId: string;
  readonly payerNumber: string;
  /** The payer's account, at the institution's contracted bank. */
  readonly account: string;
}

/** The consents a collection is made under (the consent store fits). */
export interface PayerConsents {
  /**
   * The service's consent named by id or payer number, when it is registered now; otherwise why not
   * (unknown, not yet registered, withdrawn, cancelled at the bank, another institution's).
   */
  collectable(service: string, institution: string, ref: { consentId?: string; payerNumber?: string }): Promise<CollectablePayer | { refused: string }>;
}

export interface CollectionFlowDeps {
  readonly institution: InstitutionSettings;
  readonly profile: InstitutionProfile;
  readonly codec: TelegramCodec;
  readonly ledger: TransferStore;
  /** The collections' own queue (its own rate limit); its jobs run TransferFlow with kind `collection`. */
  readonly queue: TransferJobs;
  readonly consents: PayerConsents;
  readonly switches?: SwitchReader;
}

/**
 * 집금 (2000/200): money from a payer's account into our parent account, only under the payer's
 * registered consent. Accepting it is this flow; sending, the unknown outcome and the inquiry are the
 * transfer flow's (kind `collection`), with the same claim-before-write and never a resend. The consent is
 * checked here, again before the telegram is built, and once more in the statement that claims it, so a
 * withdrawal that comes first stops every collection not yet claimed.
 */
export class CollectionFlow {
  constructor(private readonly d: CollectionFlowDeps) {}

  /** Validates, persists and queues a collection; the same request id and body returns the stored one. */
  async submit(caller: ServiceIdentity, input: CollectionInput): Promise<{ transfer: Transfer; created: boolean }> {
    const { institution: inst, profile, codec } = this.d;
    const amount = validateCollection(input, caller.maxAmount, profile, codec);
    const switched = this.d.switches?.state(inst.id, 'collections') ?? { state: 'on' as const, decidedBy: null };
    if (switched.state === 'off') throw new SwitchedOffError('collections', inst.id, switched.decidedBy ?? '*/*');
    // The same request again is answered from what was stored, even once its consent has ended; the
    // ledger compares the bodies (another body under the same id is a conflict).
    const existing = await this.d.ledger.byRequest(caller.service, input.requestId);
    const again = existing?.kind === 'collection' && existing.consentId !== null && (input.consentId ?? existing.consentId) === existing.consentId;
    const payer = again ? { consentId: existing.consentId!, payerNumber: existing.payerNumber ?? '', account: existing.withdrawAccount } : await this.d.consents.collectable(caller.service, inst.id, input);
    if ('refused' in payer) throw new ConsentNotLiveError(input.consentId ?? `payer ${input.payerNumber}`, payer.refused);
    const memo = input.memo ?? '';
    const result = await this.d.ledger.createTransfer({
      kind: 'collection',
      consentId: payer.consentId,
      payerNumber: payer.payerNumber,
      service: caller.service,
      requestId: input.requestId,
      requestHash: collectionHash(inst.id, payer.consentId, amount, memo),
      institution: inst.id,
      bankCode: inst.bankCode,
      companyId: inst.companyId,
      withdrawAccount: payer.account,
      depositBankCode: inst.bankCode,
      depositAccount: inst.withdrawAccount,
      amount,
      memo,
      recipientName: '',
      route: `collection under consent ${payer.consentId}`,
    });
    // Queued after it is committed; on hold it waits as `requested` (see TransferFlow.release).
    if ((result.created || result.transfer.state === 'requested') && switched.state === 'on') await this.d.queue.send(result.transfer.id);
    return result;
  }
}
