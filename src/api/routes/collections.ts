import type { FastifyPluginAsync } from 'fastify';
import { maskText } from '../../codec/mask.js';
import type { Transfer } from '../../domain/transfer.js';
import { isFinal } from '../../domain/transfer-state.js';
import { FirmbankError } from '../../errors/firmbank-error.js';
import type { CollectionInput } from '../../flows/collection-input.js';
import { SCHEMAS } from '../openapi.js';
import type { CollectionService } from '../services.js';
import { waitForFinal } from './transfers.js';

/** A collection as callers see it: the payer's account masked, amounts as decimal strings. */
export function collectionView(t: Transfer) {
  return {
    id: t.id,
    requestId: t.requestId,
    institution: t.institution,
    consentId: t.consentId,
    payerNumber: t.payerNumber,
    state: t.state,
    account: maskText('account', t.withdrawAccount),
    amount: t.amount.toFixed(0),
    fee: t.fee?.toFixed(0) ?? null,
    memo: t.memo,
    responseCode: t.responseCode,
    responseMessage: t.responseMessage,
    needsOperator: t.needsOperator,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
  };
}

/** POST /v1/collections and GET /v1/collections/:id (scope `collections`): a service sees only its own. */
export function collectionRoutes(collections: CollectionService, maxWaitMs: number): FastifyPluginAsync {
  return async (app) => {
    const config = { scope: 'collections' as const };

    app.post<{ Body: CollectionInput & { institution?: string } }>('/v1/collections', { schema: { body: SCHEMAS.collectionRequest }, config }, async (req, reply) => {
      const { institution, ...input } = req.body;
      const { transfer, created } = await collections.submit(institution, req.caller, input);
      const t = await waitForFinal(req, transfer, collections, maxWaitMs);
      reply.header('location', `/v1/collections/${t.id}`);
      return reply.code(isFinal(t.state) ? (created ? 201 : 200) : 202).send(collectionView(t));
    });

    app.get<{ Params: { id: string } }>('/v1/collections/:id', { schema: { params: SCHEMAS.idParams }, config }, async (req) => {
      const t = await collections.get(req.params.id);
      if (!t || t.service !== req.caller.service || t.kind !== 'collection') throw new FirmbankError('FB_NOT_FOUND', `no collection ${req.params.id}`);
      return collectionView(t);
    });
  };
}
