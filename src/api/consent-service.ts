import type { Consent } from '../domain/consent.js';
import { FirmbankError } from '../errors/firmbank-error.js';
import type { ArsProvider } from '../flows/ars-port.js';
import { EXPORT_FORMAT, EXPORT_NOTE, exportItem, exportRange, type ExportItem } from '../flows/consent-evidence.js';
import type { ConsentFlow } from '../flows/consent-flow.js';
import type { ConsentInput } from '../flows/consent-input.js';
import type { ConsentStore } from '../flows/consent-ports.js';
import type { Logger } from '../log/logger.js';

/** Consents in one export at most (a range with more is to be split). */
export const MAX_EXPORT_ROWS = 10_000;

/** The evidence export for a date range: one item per consent confirmed in it (see src/flows/consent-evidence.ts). */
export interface EvidenceExport {
  readonly format: typeof EXPORT_FORMAT;
  readonly note: string;
  readonly from: string;
  readonly to: string;
  readonly consents: readonly ExportItem[];
}

/**
 * What the HTTP API needs of the consent flows. An `institution` is the one the caller named, or
 * undefined for the default; a service sees only its own consents (another's is not found).
 */
export interface ConsentService {
  start(institution: string | undefined, service: string, input: ConsentInput): Promise<{ consent: Consent; created: boolean }>;
  /** The service's consent, or null. */
  get(service: string, id: string): Promise<Consent | null>;
  /** @throws FirmbankError FB_NOT_FOUND for a consent that is not the service's; ConsentStateError (409). */
  withdraw(service: string, id: string): Promise<Consent>;
  /**
   * The ARS provider's callback, verified on its raw bytes, applied before this resolves.
   *
   * @throws ArsCallbackError (401) when it cannot be trusted.
   */
  arsCallback(headers: Readonly<Record<string, string | string[] | undefined>>, rawBody: Buffer): Promise<void>;
  /** The service's evidence export for `from`..`to` (KST dates, inclusive): accounts and phones masked. */
  evidence(service: string, from: string, to: string): Promise<EvidenceExport>;
}

export interface ConsentServiceDeps {
  /** The flow of the institution named (the default one for undefined); an unknown name is a ValidationError. */
  flowFor(institution: string | undefined): ConsentFlow;
  /** The flow of a configured institution, or undefined. */
  flowOf(institution: string): ConsentFlow | undefined;
  readonly store: ConsentStore;
  readonly ars: ArsProvider;
  readonly logger: Logger;
}

/** The files of a consent in an export folder (the CLI writes them; the API names them the same). */
export function exportFiles(c: Consent): { recordingFile: string; evidenceFile: string } {
  const extension = /\.[a-z0-9]{1,5}$/.exec(c.evidence?.recordingLocation ?? '')?.[0] ?? '.bin';
  return { recordingFile: `recordings/${c.id}${extension}`, evidenceFile: `evidence/${c.id}.json` };
}

/** The {@link ConsentService} over the institutions' consent flows and the shared consent store. */
export function consentServiceOf(d: ConsentServiceDeps): ConsentService {
  const own = async (service: string, id: string): Promise<Consent | null> => {
    const c = await d.store.get(id);
    return c && c.service === service ? c : null;
  };
  return {
    start: (institution, service, input) => d.flowFor(institution).start(service, input),
    get: own,
    withdraw: async (service, id) => {
      const c = await own(service, id);
      const flow = c && d.flowOf(c.institution);
      if (!c || !flow) throw new FirmbankError('FB_NOT_FOUND', `no consent ${id}`);
      return flow.withdraw(id);
    },
    arsCallback: async (headers, rawBody) => {
      const result = d.ars.verifyCallback(headers, rawBody);
      const c = await d.store.get(result.consentId);
      const flow = c && d.flowOf(c.institution);
      // A signed result for a consent we do not have: nothing to apply, and nothing for the provider to retry.
      if (!flow) return d.logger.warn('consent.ars-result-unmatched', { consentId: result.consentId, callId: result.callId });
      await flow.callResult(result);
    },
    evidence: async (service, from, to) => {
      const range = exportRange(from, to);
      const rows = await d.store.evidence({ start: range.start, end: range.end, service, limit: MAX_EXPORT_ROWS });
      return { format: EXPORT_FORMAT, note: EXPORT_NOTE, from: range.from, to: range.to, consents: rows.map((c) => exportItem(c, { maskAccount: true, ...exportFiles(c) })) };
    },
  };
}
