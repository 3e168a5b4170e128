import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { maskText } from '../../codec/mask.js';
import type { Transfer } from '../../domain/transfer.js';
import { isFinal } from '../../domain/transfer-state.js';
import { FirmbankError } from '../../errors/firmbank-error.js';
import type { TransferInput } from '../../flows/transfer-input.js';
import { SCHEMAS } from '../openapi.js';
import type { TransferService } from '../services.js';

/** A transfer as callers see it: amounts as decimal strings, the account masked. */
export function transferView(t: Transfer) {
  return {
    id: t.id,
    requestId: t.requestId,
    institution: t.institution,
    state: t.state,
    bankCode: t.depositBankCode,
    account: maskText('account', t.depositAccount),
    amount: t.amount.toFixed(0),
    fee: t.fee?.toFixed(0) ?? null,
    // A sealed memo (a one-won code) is not shown, not even to the service that asked for it.
    memo: t.memo.startsWith('sealed:') ? '(sealed)' : t.memo,
    responseCode: t.responseCode,
    responseMessage: t.responseMessage,
    needsOperator: t.needsOperator,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}

/** `Prefer: wait=N` (RFC 7240): how long the caller is willing to wait for the final result, in ms. */
function preferWaitMs(req: FastifyRequest, max: number): number {
  const m = /(?:^|[,;\s])wait=(\d+)/.exec(String(req.headers['prefer'] ?? ''));
  return m ? Math.min(Number(m[1]) * 1000, max) : 0;
}

/**
 * The transfer (or collection) once final, or as it stands when the caller's `Prefer: wait` runs out.
 * Changes made in this process arrive with the event; another process's show up when we look again.
 */
export async function waitForFinal(req: FastifyRequest, t: Transfer, source: Pick<TransferService, 'get' | 'waitForChange'>, maxWaitMs: number): Promise<Transfer> {
  const deadline = Date.now() + preferWaitMs(req, maxWaitMs);
  while (!isFinal(t.state) && Date.now() < deadline) {
    t = (await source.waitForChange(t.id, Math.min(250, deadline - Date.now()))) ?? (await source.get(t.id)) ?? t;
  }
  return t;
}

/** POST /v1/transfers, GET /v1/transfers/:id and its telegrams: a service sees only its own transfers. */
export function transferRoutes(transfers: TransferService, maxWaitMs: number): FastifyPluginAsync {
  return async (app) => {
    /** The caller's own transfer; another service's (or a collection) does not exist, as far as this caller can tell. */
    const ownTransfer = async (req: FastifyRequest<{ Params: { id: string } }>): Promise<Transfer> => {
      const t = await transfers.get(req.params.id);
      if (!t || t.service !== req.caller.service || t.kind !== 'transfer') throw new FirmbankError('FB_NOT_FOUND', `no transfer ${req.params.id}`);
      return t;
    };

    app.post<{ Body: TransferInput & { institution?: string } }>('/v1/transfers', { schema: { body: SCHEMAS.transferRequest }, config: { scope: 'transfers' } }, async (req, reply) => {
      const { institution, ...input } = req.body;
      const { transfer, created } = await transfers.submit(institution, req.caller, input);
      const t = await waitForFinal(req, transfer, transfers, maxWaitMs);
      reply.header('location', `/v1/transfers/${t.id}`);
      return reply.code(isFinal(t.state) ? (created ? 201 : 200) : 202).send(transferView(t));
    });

    app.get<{ Params: { id: string } }>('/v1/transfers/:id', { schema: { params: SCHEMAS.idParams }, config: { scope: 'transfers' } }, async (req) => transferView(await ownTransfer(req)));

    app.get<{ Params: { id: string } }>('/v1/transfers/:id/telegrams', { schema: { params: SCHEMAS.idParams }, config: { scope: 'transfers' } }, async (req) => transfers.telegrams(await ownTransfer(req)));
  };
}
