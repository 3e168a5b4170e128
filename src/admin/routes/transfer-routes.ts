import type { FastifyPluginAsync } from 'fastify';
import { Decimal } from 'decimal.js';
import { FirmbankError } from '../../errors/firmbank-error.js';
import { TRANSFER_STATES, type TransferState } from '../../domain/transfer-state.js';
import type { TransferKind } from '../../domain/transfer.js';
import type { AdminServices } from '../admin-services.js';
import { REASON, REASON_BODY, type AuditFn } from '../audit-trail.js';
import { needs } from '../operator-hooks.js';
import { UNMASK_PARAM, unmaskFor } from '../unmask.js';
import { settlementView, transferDetailView, transferEventView, transferSummaryView, unknownView } from '../views.js';
import { pageLimit, PAGE_QUERY } from './paging.js';

const DIGITS = '^[0-9]{1,13}$';
const searchQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...PAGE_QUERY,
    state: { type: 'string', enum: [...TRANSFER_STATES] },
    kind: { type: 'string', enum: ['transfer', 'collection'] },
    institution: { type: 'string', maxLength: 32 },
    service: { type: 'string', maxLength: 64 },
    requestId: { type: 'string', maxLength: 128 },
    accountSuffix: { type: 'string', pattern: '^[0-9]{1,6}$' },
    minAmount: { type: 'string', pattern: DIGITS },
    maxAmount: { type: 'string', pattern: DIGITS },
    from: { type: 'string', format: 'date-time' },
    to: { type: 'string', format: 'date-time' },
  },
} as const;

interface SearchQuery {
  after?: string;
  limit?: string;
  state?: TransferState;
  kind?: TransferKind;
  institution?: string;
  service?: string;
  requestId?: string;
  accountSuffix?: string;
  minAmount?: string;
  maxAmount?: string;
  from?: string;
  to?: string;
}

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 36 } } } as const;
const sidParams = { type: 'object', required: ['sid'], properties: { sid: { type: 'string', pattern: '^[0-9]{1,12}$' } } } as const;
const settleBody = {
  type: 'object',
  additionalProperties: false,
  required: ['outcome', 'reason', 'evidence'],
  properties: { outcome: { type: 'string', enum: ['succeeded', 'failed'] }, reason: REASON, evidence: { type: 'string', minLength: 3, maxLength: 2000 } },
} as const;

/**
 * Transfers as operators see them: the search, one transfer's page (events, telegrams as hex beside
 * decoded fields), and the two ways an operator acts on an unknown outcome: ask the bank now, or settle it
 * by hand with four eyes (one proposes with evidence, another confirms; only then does the money's state
 * move, through the ledger like any settlement).
 */
export function transferRoutes(s: AdminServices, audit: AuditFn): FastifyPluginAsync {
  const found = async (id: string) => {
    const t = await s.transfers.get(id);
    if (!t) throw new FirmbankError('FB_NOT_FOUND', `no transfer ${id}`);
    return t;
  };

  return async (app) => {
    app.get<{ Querystring: SearchQuery }>('/admin/api/transfers', { schema: { querystring: searchQuery }, config: needs('viewer') }, async (req) => {
      const q = req.query;
      const page = await s.queries.transfers(
        {
          ...(q.state ? { state: q.state } : {}),
          ...(q.kind ? { kind: q.kind } : {}),
          ...(q.institution ? { institution: q.institution } : {}),
          ...(q.service ? { service: q.service } : {}),
          ...(q.requestId ? { requestId: q.requestId } : {}),
          ...(q.accountSuffix ? { accountSuffix: q.accountSuffix } : {}),
          ...(q.minAmount ? { minAmount: new Decimal(q.minAmount) } : {}),
          ...(q.maxAmount ? { maxAmount: new Decimal(q.maxAmount) } : {}),
          ...(q.from ? { from: new Date(q.from) } : {}),
          ...(q.to ? { to: new Date(q.to) } : {}),
        },
        { ...(q.after ? { after: q.after } : {}), limit: pageLimit(q.limit) },
      );
      return { items: page.items.map((t) => transferSummaryView(t, false)), next: page.next };
    });

    app.get<{ Params: { id: string }; Querystring: { unmask?: string } }>(
      '/admin/api/transfers/:id',
      { schema: { params: idParams, querystring: { type: 'object', additionalProperties: false, properties: { unmask: UNMASK_PARAM } } }, config: needs('viewer') },
      async (req) => {
        const t = await found(req.params.id);
        const unmasked = await unmaskFor(req, audit, `transfer:${t.id}`);
        const [events, telegrams, settlements] = await Promise.all([s.transfers.events(t.id), s.transfers.telegrams(t, unmasked), s.settlements.forTransfer(t.id)]);
        return {
          transfer: transferDetailView(t, unmasked, { oneWon: s.transfers.isOneWon(t) }),
          events: events.map(transferEventView),
          telegrams,
          settlements: settlements.map(settlementView),
          unmasked,
        };
      },
    );

    app.post<{ Params: { id: string }; Body: { reason: string } }>(
      '/admin/api/transfers/:id/inquire',
      { schema: { params: idParams, body: REASON_BODY }, config: needs('operator') },
      async (req) => {
        const t = await found(req.params.id);
        if (t.state !== 'unknown') throw new FirmbankError('FB_ADMIN_CONFLICT', `transfer ${t.id} is ${t.state}: only an unknown outcome is asked about`);
        // Audited before the telegram goes: the inquiry is the operator's act whatever the bank answers.
        await audit(req, { action: 'transfer.inquire', target: `transfer:${t.id}`, before: { state: t.state, inquiries: t.inquiries, needsOperator: t.needsOperator }, reason: req.body.reason });
        await s.transfers.askNow(t);
        return { transfer: transferSummaryView((await s.transfers.get(t.id)) ?? t, false) };
      },
    );

    app.post<{ Params: { id: string }; Body: { outcome: 'succeeded' | 'failed'; reason: string; evidence: string } }>(
      '/admin/api/transfers/:id/settlements',
      { schema: { params: idParams, body: settleBody }, config: needs('operator') },
      async (req, reply) => {
        const t = await found(req.params.id);
        const { outcome, reason, evidence } = req.body;
        const proposal = await s.settlements.propose(t.id, outcome, reason, evidence, req.session!.operator.name, new Date());
        await audit(req, { action: 'settlement.propose', target: `transfer:${t.id}`, before: { state: t.state }, after: settlementView(proposal), reason });
        return reply.code(201).send(settlementView(proposal));
      },
    );

    for (const decision of ['confirm', 'reject'] as const) {
      app.post<{ Params: { sid: string }; Body: { reason: string } }>(
        `/admin/api/settlements/:sid/${decision}`,
        { schema: { params: sidParams, body: REASON_BODY }, config: needs('operator') },
        async (req) => {
          const by = req.session!.operator.name;
          const now = new Date();
          const id = Number(req.params.sid);
          const decided = decision === 'confirm' ? await s.settlements.confirm(id, by, req.body.reason, now) : await s.settlements.reject(id, by, req.body.reason, now);
          await audit(req, { action: `settlement.${decision}`, target: `transfer:${decided.transferId}`, before: { status: 'pending' }, after: settlementView(decided), reason: req.body.reason });
          return settlementView(decided);
        },
      );
    }

    app.get('/admin/api/unknowns', { config: needs('viewer') }, async () => ({ items: (await s.queries.unknowns(500)).map((u) => unknownView(u)) }));
  };
}
