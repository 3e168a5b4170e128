import type { KeptTelegram, MoveExtras, NewTransfer, Notice, Transfer, TransferKind, TransferPatch } from '../domain/transfer.js';
import type { TransferState } from '../domain/transfer-state.js';
import type { FieldInput } from '../codec/values.js';
import type { RequestOptions } from '../link/bank-link.js';
import type { LinkOutcome } from '../link/exchange.js';
import type { LinkBlock } from '../link/guarded-link.js';
import type { SwitchFlow, SwitchState } from '../domain/switches.js';

/**
 * The ports flows depend on. Adapters implement them (the TypeORM ledger, the BullMQ queues, a link pool);
 * the composition root (src/gateway) wires one to the other. Flows never see a database or a queue class.
 */

/** What the flows need of a link: one request, one outcome (BankLink and LinkPool both fit). */
export interface Requester {
  request(message: string, fields: Readonly<Record<string, FieldInput>>, options?: RequestOptions): Promise<LinkOutcome>;
  /** Null when requests may go now; otherwise why not (a breaker is open) and when to look again. */
  blockedFor?(): LinkBlock | null;
}

/** Jobs to send a transfer and to ask about one (the BullMQ transfer queue fits). */
export interface TransferJobs {
  send(transferId: string, tag?: string): Promise<void>;
  inquire(transferId: string, attempt: number, delayMs: number): Promise<void>;
}

/** Transfers and their telegrams, each write committed before it resolves (the ledger fits). */
export interface TransferStore {
  /** The same (service, requestId) with the same hash returns the stored one; another hash is a conflict. */
  createTransfer(input: NewTransfer): Promise<{ transfer: Transfer; created: boolean }>;
  get(id: string): Promise<Transfer | null>;
  /** A service's transfer (or collection) by its request id. */
  byRequest(service: string, requestId: string): Promise<Transfer | null>;
  /** Transfers of an institution not final yet and unchanged for `minAgeMs` (of one kind, when given). */
  unsettled(institution: string, minAgeMs?: number, kind?: TransferKind): Promise<Transfer[]>;
  /** Moves a transfer only if it is in `from` (and holds the extras' claim, when given); null when it was not. */
  move(id: string, from: TransferState, to: TransferState, reason: string, patch?: TransferPatch, extras?: MoveExtras): Promise<Transfer | null>;
  patch(id: string, patch: TransferPatch): Promise<void>;
  /**
   * Claims a `requested` transfer and keeps its telegram, in one statement; false if someone else has it,
   * or (`underConsent`: a collection) if its payer's consent is no longer registered.
   */
  claimAndKeep(t: KeptTelegram, claim: string, underConsent?: boolean): Promise<boolean>;
  recordTelegram(t: KeptTelegram): Promise<void>;
  /** When the transfer's own telegram was kept, right before it was written; null when none was. */
  sentAt(id: string): Promise<Date | null>;
}

/** Notices from banks, stored once, and the transfers they name. */
export interface NoticeStore extends Pick<TransferStore, 'move'> {
  findBySeq(institution: string, bankCode: string, companyId: string, sendDate: string, seqNo: string): Promise<Transfer | null>;
  /** True when new, false when the bank sent it again; stored either way when it resolves. */
  recordNotice(n: Omit<Notice, 'id' | 'receivedAt'>): Promise<boolean>;
  /** Transfers named by a stored failure notice (message `failureNotice`) still succeeded or unknown. */
  unreversed(institution: string, failureNotice: string): Promise<string[]>;
}

/** The runtime switches as flows read them (the switchboard fits): cheap, synchronous, from memory. */
export interface SwitchReader {
  /** The effective state for a flow at an institution, and the switch (`scope/flow`) that decided it. */
  state(institution: string, flow: SwitchFlow): { readonly state: SwitchState; readonly decidedBy: string | null };
}

/**
 * Seals a memo that must not be kept in clear (a one-won code) and opens it again for the telegram: the
 * SecretBox fits. A sealed memo is stored as `sealed:<box>`.
 */
export interface MemoSeal {
  seal(text: string): string;
  open(sealed: string): string;
}

/** Whether a payer's consent still allows a collection (the consent store fits). */
export interface ConsentCheck {
  isRegistered(consentId: string): Promise<boolean>;
}
