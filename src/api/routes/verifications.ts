import type { FastifyPluginAsync } from 'fastify';
import type { VerificationInput } from '../../flows/verification-flow.js';
import { SCHEMAS } from '../openapi.js';
import type { VerificationService } from '../services.js';

/** POST /v1/account-verifications: who holds an account, and whether that is the name given. */
export function verificationRoutes(verifications: VerificationService): FastifyPluginAsync {
  return async (app) => {
    app.post<{ Body: VerificationInput & { institution?: string } }>('/v1/account-verifications', { schema: { body: SCHEMAS.verificationRequest }, config: { scope: 'verifications' } }, async (req) => {
      const { institution, ...input } = req.body;
      return verifications.verify(institution, input);
    });
  };
}
