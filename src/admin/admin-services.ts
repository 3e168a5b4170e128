import type { Decimal } from 'decimal.js';
import type { ApiKeyListing } from '../api/api-keys.js';
import type { Scope } from '../api/scopes.js';
import type { Consent } from '../domain/consent.js';
import type { InstitutionProfile } from '../institution/profile.js';
import type { ReconBreak } from '../domain/reconciliation.js';
import type { SwitchChange, SwitchFlow, SwitchName, SwitchSetting, SwitchState } from '../domain/switches.js';
import type { Transfer, TransferEvent } from '../domain/transfer.js';
import type { AdminQueries } from '../ledger/admin-queries.js';
import type { AuditStore } from '../ledger/audit-store.js';
import type { SettlementStore } from '../ledger/settlement-store.js';
import type { OperatorAuth } from './operator-auth.js';
import type { telegramDump } from './telegram-dump.js';

/** The operators' switches: every set is audited (who, when, from, to, why) and reaches every process. */
export interface SwitchService {
  /** Every switch set so far, and the effective state of each flow at each institution. */
  list(): Promise<{ switches: SwitchSetting[]; effective: { institution: string; flow: SwitchFlow; state: SwitchState; decidedBy: string | null }[] }>;
  set(name: SwitchName, state: SwitchState, by: string, reason: string, expectedVersion?: number): Promise<SwitchSetting>;
  changes(limit: number): Promise<SwitchChange[]>;
}

/** What a running gateway knows of an institution that the database does not: its links, breaker, switches, queue. */
export interface LiveInstitution {
  readonly id: string;
  readonly links: { readonly up: number; readonly total: number };
  readonly breaker: 'closed' | 'open' | 'half-open';
  readonly switches: Readonly<Record<string, SwitchState>>;
  readonly queue: { readonly waiting: number; readonly active: number; readonly delayed: number };
}

/**
 * What the operators' API needs; the composition root provides it. Stores are used as they are (the
 * console reads what they keep); what needs a running gateway (a link, a queue, a codec) is a function.
 */
export interface AdminServices {
  readonly auth: OperatorAuth;
  readonly audit: AuditStore;
  readonly queries: AdminQueries;
  readonly settlements: SettlementStore;
  readonly transfers: {
    get(id: string): Promise<Transfer | null>;
    events(id: string): Promise<TransferEvent[]>;
    /** The transfer's telegrams, hex beside decoded fields (masked unless `unmask`). */
    telegrams(t: Transfer, unmask: boolean): Promise<ReturnType<typeof telegramDump>[]>;
    /** Asks the bank about an unknown transfer now (one result inquiry, even past the automatic ones); resolves once answered or not. */
    askNow(t: Transfer): Promise<void>;
    /** Whether the transfer is a one-won verification's 1 won (its memo is sealed, never shown). */
    isOneWon(t: Transfer): boolean;
  };
  live(): Promise<LiveInstitution[]>;
  /** The profile of a configured institution (how its notices name their fields), or undefined. */
  profile(institution: string): InstitutionProfile | undefined;
  readonly switches: SwitchService;
  readonly apiKeys: {
    list(): Promise<ApiKeyListing[]>;
    create(service: string, maxAmount: Decimal, scopes: readonly Scope[]): Promise<{ key: ApiKeyListing; apiKey: string }>;
    revoke(keyId: string): Promise<{ key: ApiKeyListing; alreadyRevoked: boolean } | null>;
  };
  readonly recon: {
    breaks(filter: { institution?: string; businessDate?: string; status?: 'open' | 'resolved' }): Promise<ReconBreak[]>;
    resolve(id: number, by: string, reason: string): Promise<ReconBreak>;
    /** A run's report (its breaks as CSV, or the HTML summary), as the night wrote it; null when there is none. */
    report(runId: number, kind: 'csv' | 'html'): Promise<{ bytes: Buffer; fileName: string } | null>;
  };
  readonly webhooks: { redeliver(deliveryId: number): Promise<boolean> };
  readonly consents: {
    get(id: string): Promise<Consent | null>;
    /** The consent's recording, as kept by the evidence store. */
    recording(c: Consent): Promise<{ bytes: Buffer; fileName: string } | null>;
  };
}
