import { createHash } from 'node:crypto';
import { Decimal } from 'decimal.js';
import type { FastifyInstance } from 'fastify';
import { ApiKeys } from '../../src/api/api-keys.js';
import { SCOPES } from '../../src/api/scopes.js';
import { buildApi } from '../../src/api/server.js';
import type { ApiServices } from '../../src/api/services.js';
import { maskFields } from '../../src/codec/mask-fields.js';
import { TelegramCodec } from '../../src/codec/telegram-codec.js';
import { charsetFor } from '../../src/encoding/korean-charset.js';
import { loadConfig } from '../../src/config/config.js';
import type { Requester } from '../../src/flows/ports.js';
import { requestHash, validateTransfer, type TransferInput } from '../../src/flows/transfer-input.js';
import { VerificationFlow } from '../../src/flows/verification-flow.js';
import { openDatabase } from '../../src/ledger/data-source.js';
import type { TransferRow } from '../../src/ledger/entities.js';
import { IdempotencyConflictError } from '../../src/ledger/idempotency-conflict-error.js';
import { silentLogger, type Logger } from '../../src/log/logger.js';
import { loadInstitution } from '../../src/institution/load-profile.js';
import { FirmbankError } from '../../src/errors/firmbank-error.js';
import { ConsentNotLiveError } from '../../src/flows/consent-not-live-error.js';
import { ArsCallbackError } from '../../src/flows/ars-callback-error.js';
import { EXPORT_FORMAT, EXPORT_NOTE } from '../../src/flows/consent-evidence.js';
import { checkEndpointUrl } from '../../src/webhooks/endpoint-url.js';
import { HECTO_PROFILE } from './corpus.js';

/** The per-transfer limit of the fuzzing service's key. */
export const MAX_AMOUNT = new Decimal('5000000');
/** How long POST /v1/transfers may wait (Prefer: wait) in the harness: short, the backend never settles. */
const MAX_WAIT_MS = 20;

/** The id a transfer of `service` with `requestId` gets: deterministic, so generated URLs can name it. */
export function transferIdOf(service: string, requestId: string): string {
  const h = createHash('sha256').update(`${service}\0${requestId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface ApiHarness {
  readonly app: FastifyInstance;
  /** A key of the fuzzing service (every scope), and one of another service (default scopes). */
  readonly keys: { readonly own: string; readonly other: string };
  /** Broken promises seen since the last call: an accepted transfer outside the contract, an internal error. */
  takeViolations(): string[];
  close(): Promise<void>;
}

/**
 * Fastify's app from `buildApi` over a small in-process backend: `submit` runs the real validation
 * (`validateTransfer` against the Hecto codec) and keeps what it accepted, with the idempotency rule;
 * verification runs the real `VerificationFlow` over a link that never answers. API keys live in an
 * in-memory SQLite ledger. Nothing reaches a bank, a queue or a disk.
 */
export async function openApiHarness(): Promise<ApiHarness> {
  const ds = await openDatabase({ url: ':memory:' });
  const apiKeys = new ApiKeys(ds);
  const own = await apiKeys.create('fuzz', MAX_AMOUNT, SCOPES);
  const other = await apiKeys.create('other', MAX_AMOUNT);
  const { profile, codes } = loadInstitution(HECTO_PROFILE);
  const codec = new TelegramCodec(profile.spec);
  const charset = charsetFor(codec.spec.encoding);
  const institution = loadConfig({}).institutions[0]!;
  const silentLink: Requester = { request: async () => ({ status: 'not-sent', reason: 'the fuzz harness has no bank' }) };
  const verification = new VerificationFlow(institution, profile, silentLink, codes);
  const transfers = new Map<string, TransferRow>();
  const violations: string[] = [];

  /** The documented contract of an accepted transfer, restated independently of the validation code. */
  const contract = (input: TransferInput, amount: Decimal): string | null => {
    const text = (s: string | undefined, bytes: number) => s === undefined || (charset.byteLength(s) >= 0 && charset.byteLength(s) <= bytes && !/[\x00-\x1f\x7f]/.test(s));
    if (typeof input.requestId !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(input.requestId)) return 'requestId';
    if (typeof input.bankCode !== 'string' || !/^\d{3}$/.test(input.bankCode)) return 'bankCode';
    if (typeof input.account !== 'string' || !/^\d{6,15}$/.test(input.account)) return 'account';
    if (typeof input.amount !== 'string' || !/^\d{1,13}$/.test(input.amount) || !amount.eq(new Decimal(input.amount)) || amount.lte(0) || amount.gt(MAX_AMOUNT)) return 'amount';
    if (!text(input.memo, 14)) return 'memo';
    if (!text(input.recipientName, 12)) return 'recipientName';
    return null;
  };

  const transferService: ApiServices['transfers'] = {
    async submit(named, caller, input) {
      const inst = named ?? institution.id;
      const amount = validateTransfer(input, caller.maxAmount, profile, codec, institution.bankCode);
      const broken = contract(input, amount);
      if (broken) violations.push(`accepted a transfer whose ${broken} breaks the contract: ${JSON.stringify(input[broken as keyof TransferInput] ?? null)}`);
      const id = transferIdOf(caller.service, input.requestId);
      const hash = requestHash(inst, input, amount);
      const existing = transfers.get(id);
      if (existing) {
        if (existing.requestHash !== hash) throw new IdempotencyConflictError(caller.service, input.requestId, id);
        return { transfer: existing, created: false };
      }
      const now = new Date();
      const row: TransferRow = {
        id,
        kind: 'transfer',
        consentId: null,
        payerNumber: null,
        service: caller.service,
        requestId: input.requestId,
        requestHash: hash,
        institution: inst,
        bankCode: institution.bankCode,
        companyId: institution.companyId,
        withdrawAccount: institution.withdrawAccount,
        depositBankCode: input.bankCode,
        depositAccount: input.account,
        amount,
        fee: null,
        memo: input.memo ?? '',
        recipientName: input.recipientName ?? '',
        // Some stay unsettled, so that Prefer: wait runs its loop.
        state: input.amount.endsWith('7') ? 'requested' : 'succeeded',
        seqNo: null,
        sendDate: null,
        responseCode: null,
        responseMessage: null,
        claimToken: null,
        inquiries: 0,
        noRecordAnswers: 0,
        needsOperator: false,
        createdAt: now,
        updatedAt: now,
      };
      transfers.set(id, row);
      return { transfer: row, created: true };
    },
    get: async (id) => transfers.get(id) ?? null,
    waitForChange: (_id, ms) => new Promise((resolve) => setTimeout(() => resolve(null), ms)),
    telegrams: async (t) => {
      const d = codec.decode(codec.encode('transfer.request', { depositBankCode: t.depositBankCode, depositAccount: t.depositAccount, amount: t.amount, memo: t.memo, depositHolderName: t.recipientName }));
      return [{ direction: 'out', message: d.message, fields: maskFields(codec.message(d.message), d.fields) }];
    },
  };
  const services: ApiServices = {
    transfers: transferService,
    verifications: { verify: (_inst, input) => verification.verify(input) },
    parentAccount: { balance: async () => ({ account: '**********1234', balance: '1000000000' }), totals: async () => ({ count: transfers.size }) },
    readiness: { ready: async () => ({ ready: true, detail: {} }) },
    // No payer has a consent here: every well-formed collection is a 409, never a 5xx.
    collections: {
      submit: async (_inst, _caller, input) => {
        throw new ConsentNotLiveError(input.consentId ?? `payer ${input.payerNumber}`, 'no such consent');
      },
      get: async () => null,
      waitForChange: async () => null,
    },
    // Consents and one-won verifications exist nowhere here: well-formed requests are 404s, never 5xx.
    consents: {
      start: async () => {
        throw new FirmbankError('FB_NOT_FOUND', 'no ARS here');
      },
      get: async () => null,
      withdraw: async () => {
        throw new FirmbankError('FB_NOT_FOUND', 'no such consent');
      },
      arsCallback: async () => {
        throw new ArsCallbackError('not signed');
      },
      evidence: async (_service, from, to) => ({ format: EXPORT_FORMAT, note: EXPORT_NOTE, from, to, consents: [] }),
    },
    oneWon: {
      start: async () => {
        throw new FirmbankError('FB_NOT_FOUND', 'no one-won here');
      },
      confirm: async () => {
        throw new FirmbankError('FB_NOT_FOUND', 'no such verification');
      },
      status: async () => {
        throw new FirmbankError('FB_NOT_FOUND', 'no such verification');
      },
    },
    metrics: { render: async () => ({ contentType: 'text/plain; version=0.0.4', body: '' }) },
    events: { feed: async (_service, after) => ({ events: [], next: after }) },
    // URLs go through the real check: a URL the gateway must refuse is a 400, never a 5xx.
    webhooks: {
      create: async (service, url, types) => ({ endpoint: { id: 1, service, url: checkEndpointUrl(url, { allowPrivate: false }).href, types: [...types], createdAt: new Date(), disabledAt: null, previousSecretUntil: null }, secret: 'whsec_fuzz' }),
      list: async () => [],
      rotate: async () => null,
      disable: async () => false,
      deliveries: async () => [],
      redeliver: async () => false,
    },
  };

  const logger: Logger = { ...silentLogger, error: (event, details) => violations.push(`logged ${event}: ${String(details?.['error'] ?? '').split('\n').slice(0, 3).join(' | ')}`) };
  const app = buildApi(services, apiKeys, logger, MAX_WAIT_MS);
  await app.ready();
  return {
    app,
    keys: { own, other },
    takeViolations: () => violations.splice(0),
    close: async () => {
      await app.close();
      await ds.destroy();
    },
  };
}
