import { join } from 'node:path';
import { toJsonFields } from '../../codec/json-view.js';
import { TelegramCodec } from '../../codec/telegram-codec.js';
import type { FieldInput } from '../../codec/values.js';
import { ResponseCodeTable } from '../../codes/response-codes.js';
import { BankLink } from '../../link/bank-link.js';
import { FileSequenceSource } from '../../link/file-sequence-source.js';
import { jsonLogger } from '../../log/logger.js';
import { loadSpecFile } from '../../spec/load-spec.js';
import { parseJson, readInput } from '../input.js';
import { institutionOf } from '../institution-file.js';
import { UsageError } from '../usage-error.js';

export interface SendOptions {
  spec: string;
  host: string;
  port: number;
  message: string;
  company?: string | undefined;
  bank?: string | undefined;
  timeoutMs: number;
  seqFile: string;
  input?: string | undefined;
}

/** Result of `firmbank send`: the JSON printed and the exit status (0 answered, 3 not sent or unknown). */
export interface SendResult {
  readonly output: string;
  readonly exitCode: number;
}

/**
 * `firmbank send`: one request over a real session (connect, open the day, send, print the decoded reply,
 * close). 전문번호 come from a small file (`--seq-file`) so that reruns on the same day never reuse one.
 */
export async function sendCommand(opts: SendOptions): Promise<SendResult> {
  const codec = new TelegramCodec(loadSpecFile(opts.spec));
  const session = codec.spec.session;
  if (!session) throw new UsageError(`${opts.spec} has no session section: it cannot be sent over a link`);
  const json = opts.input === undefined && process.stdin.isTTY ? {} : parseJson(readInput(opts.input), opts.input ?? 'standard input');
  const fields = ((json as { fields?: unknown }).fields ?? {}) as Record<string, FieldInput>;
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw new UsageError('"fields" must be an object of field name → value');
  const company = opts.company ?? (fields[session.companyId] as string | undefined);
  const bank = opts.bank ?? (fields[session.bankCode] as string | undefined);
  if (!company || !bank) throw new UsageError(`send: give --company and --bank (or ${session.companyId} and ${session.bankCode} in the fields)`);
  codec.encode(opts.message, fields); // a bad field fails here, before any connection

  const link = new BankLink({
    codec,
    host: opts.host,
    port: opts.port,
    companyId: company,
    bankCode: bank,
    sequence: new FileSequenceSource(opts.seqFile),
    requestTimeoutMs: opts.timeoutMs,
    connectTimeoutMs: Math.min(opts.timeoutMs, 5_000),
    backoff: { initialMs: 200, maxMs: 1_000 },
    logger: jsonLogger('send'),
  }).start();
  try {
    const outcome = await link.request(opts.message, fields, { timeoutMs: opts.timeoutMs });
    if (outcome.status !== 'answered') {
      const advice = outcome.status === 'unknown' ? 'the bank may have acted on it: do not send it again, ask with a result inquiry' : 'nothing was written: safe to try again';
      return { output: JSON.stringify({ status: outcome.status, reason: outcome.reason, seqNo: outcome.request?.seqNo, advice }, null, 2), exitCode: 3 };
    }
    // Read with the institution's own table (its profile beside the spec), its bank as a KFTC code.
    const institution = institutionOf(opts.spec);
    const codes = institution?.codes ?? ResponseCodeTable.load();
    const meaning = codes.lookup(institution?.profile.bankCodes.fromWire(bank) ?? bank, outcome.responseCode);
    const spec = codec.message(outcome.response.message);
    return {
      output: JSON.stringify(
        { status: 'answered', seqNo: outcome.request.seqNo, responseCode: outcome.responseCode, outcome: meaning.outcome, meaning: meaning.message, message: outcome.response.message, fields: toJsonFields(spec, codec.decode(codec.redactSecrets(outcome.responseRaw)).fields) },
        null,
        2,
      ),
      exitCode: 0,
    };
  } finally {
    await link.close();
  }
}

export const DEFAULT_SEQ_FILE = join('.data', 'sequence.json');
