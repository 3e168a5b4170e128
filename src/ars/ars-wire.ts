import { isArsOutcome, type ArsCallResult, type ArsOutcome } from '../flows/ars-port.js';

/**
 * The JSON of the ARS HTTP protocol, shared by the adapter (src/ars/http-ars-provider.ts) and the
 * simulator (src/sim/ars-simulator.ts) so that the two cannot drift apart:
 *
 * - `POST /calls` {@link WireStartCall} → 201 (a new call) or 200 (the call already started for this
 *   consent id) with {@link WireCallStarted};
 * - `GET /calls/:id` → {@link WireCallStatus};
 * - `GET /recordings/:id` → the recording's bytes (`audio/wav`);
 * - the callback, POSTed to the call's `callbackUrl`: {@link WireCallback}, signed (src/ars/ars-signature.ts).
 */
export interface WireStartCall {
  readonly consentId: string;
  readonly phone: string;
  readonly script: { readonly company: string; readonly bankName: string; readonly accountMasked: string; readonly payerNumber: string };
  readonly callbackUrl?: string;
}

export interface WireCallStarted {
  readonly callId: string;
}

export interface WireCallStatus {
  readonly callId: string;
  readonly consentId: string;
  readonly status: 'in-progress' | 'done';
  readonly outcome: ArsOutcome | null;
  /** ISO 8601. */
  readonly completedAt: string | null;
  readonly recordingId: string | null;
}

export interface WireCallback {
  readonly callId: string;
  readonly consentId: string;
  readonly outcome: ArsOutcome;
  /** ISO 8601. */
  readonly completedAt: string;
  readonly recordingId?: string | null;
}

/** Longest id (call, consent, recording) either side accepts: ids go into URLs and log lines. */
export const MAX_ID_LENGTH = 200;

function isId(x: unknown): x is string {
  return typeof x === 'string' && x.length > 0 && x.length <= MAX_ID_LENGTH && !/[\x00-\x1f]/.test(x);
}

/** A finished call's result from a {@link WireCallStatus} (status `done`) or a {@link WireCallback}, or why it is not one. */
export function readCallResult(body: unknown): { readonly result: ArsCallResult } | { readonly problem: string } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { problem: 'the body is not a JSON object' };
  const b = body as Record<string, unknown>;
  if (!isId(b['callId'])) return { problem: 'callId is missing or not an id' };
  if (!isId(b['consentId'])) return { problem: 'consentId is missing or not an id' };
  if (!isArsOutcome(b['outcome'])) return { problem: `outcome ${JSON.stringify(b['outcome'])} is not an ARS outcome` };
  const completedAt = typeof b['completedAt'] === 'string' ? new Date(b['completedAt']) : undefined;
  if (completedAt === undefined || Number.isNaN(completedAt.getTime())) return { problem: 'completedAt is missing or not a time' };
  const recordingId = b['recordingId'];
  if (recordingId !== undefined && recordingId !== null && !isId(recordingId)) return { problem: 'recordingId is not an id' };
  // A confirmation is only evidence with its recording: a provider that says otherwise is not to be believed.
  if (b['outcome'] === 'confirmed' && typeof recordingId !== 'string') return { problem: 'a confirmed call without a recordingId' };
  return {
    result: {
      callId: b['callId'],
      consentId: b['consentId'],
      outcome: b['outcome'],
      completedAt,
      ...(typeof recordingId === 'string' ? { recordingId } : {}),
    },
  };
}
