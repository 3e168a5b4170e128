import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { TelegramCodec } from '../../codec/telegram-codec.js';
import { jsonLogger } from '../../log/logger.js';
import { logProcessFaults } from '../../log/process-faults.js';
import { loadInstitution } from '../../institution/load-profile.js';
import { profileFileOf } from '../institution-file.js';
import { BankSimulator } from '../../sim/bank-simulator.js';
import { FAULT_KINDS, parseFault, type FaultKind } from '../../sim/fault-plan.js';
import { SimUsageError } from '../../sim/sim-usage-error.js';
import { UsageError } from '../usage-error.js';

export interface SimOptions {
  spec: string;
  port: number;
  host: string;
  latencyMs: number;
  lateMs?: number | undefined;
  faults: string[];
  refuse: boolean;
  controlPort?: number | undefined;
  controlToken?: string | undefined;
}

/**
 * `firmbank sim`: the bank simulator on a real port until SIGINT/SIGTERM. Prints
 * `listening on HOST:PORT` on stdout once ready (scripts wait for that line).
 */
export async function simCommand(opts: SimOptions): Promise<void> {
  // The simulator plays an institution: its profile (the one beside a spec, when a spec is named).
  const { profile } = loadInstitution(profileFileOf(opts.spec));
  const codec = new TelegramCodec(profile.spec);
  const log = jsonLogger('sim');
  logProcessFaults(log);
  const sim = new BankSimulator({ codec, profile, logger: log });
  sim.faults.latencyMs = opts.latencyMs;
  if (opts.lateMs !== undefined) sim.faults.lateMs = opts.lateMs;
  sim.faults.refuseConnections = opts.refuse;
  for (const text of opts.faults) {
    const f = parseFault(text);
    if (!f) throw new UsageError(`--fault ${text}: expected KIND[:MESSAGE][:COUNT|always], KIND one of ${FAULT_KINDS.join(', ')}`);
    sim.faults.arm(f.kind, f);
  }
  let port: number;
  try {
    port = await sim.listen(opts.port, opts.host);
  } catch (e) {
    throw new UsageError(`sim: cannot listen on ${opts.host}:${opts.port}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  process.stdout.write(`firmbank sim: ${codec.spec.institution} listening on ${opts.host}:${port}\n`);
  let control: Server | undefined;
  if (opts.controlPort !== undefined) {
    const token = opts.controlToken ?? process.env['FIRMBANK_SIM_TOKEN'] ?? randomBytes(16).toString('hex');
    const server = createServer((req, res) => void controlRequest(sim, token, req, res));
    control = server;
    await new Promise<void>((resolve) => server.listen(opts.controlPort, opts.host, resolve));
    const cport = (server.address() as { port: number }).port;
    process.stdout.write(`firmbank sim: control API on http://${opts.host}:${cport} (Authorization: Bearer ${opts.controlToken || process.env['FIRMBANK_SIM_TOKEN'] ? '<your token>' : token})\n`);
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  control?.closeAllConnections();
  control?.close();
  await sim.close();
}

/** The control API: JSON over HTTP on loopback, every route behind the bearer token. */
async function controlRequest(sim: BankSimulator, token: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const send = (status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const given = Buffer.from((req.headers.authorization ?? '').replace(/^Bearer /, ''));
  const want = Buffer.from(token);
  if (given.length !== want.length || !timingSafeEqual(given, want)) return send(401, { error: 'unauthorized' });
  let body: Record<string, unknown> = {};
  try {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (chunks.length) body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
  } catch {
    return send(400, { error: 'body is not JSON' });
  }
  try {
    const route = `${req.method} ${req.url}`;
    switch (route) {
      case 'POST /faults': {
        // Kind, count and code are checked by FaultPlan.arm (a SimUsageError is a 400 below).
        const { kind, count = 1, message, code } = body;
        if (message !== undefined && (typeof message !== 'string' || !sim.knows(message))) return send(400, { error: `message must name a request of the spec, not ${JSON.stringify(message)}` });
        sim.faults.arm(kind as FaultKind, { count: count === 'always' ? Infinity : (count as number), ...(message !== undefined ? { message } : {}), ...(code !== undefined ? { code: code as string } : {}) });
        return send(200, { armed: kind });
      }
      case 'POST /latency': {
        const ms = body['ms'] ?? 0;
        if (!Number.isSafeInteger(ms) || (ms as number) < 0 || (ms as number) > 600_000) return send(400, { error: `ms must be an integer from 0 to 600000, not ${JSON.stringify(ms)}` });
        sim.faults.latencyMs = ms as number;
        return send(200, { latencyMs: sim.faults.latencyMs });
      }
      case 'POST /refuse':
        sim.faults.refuseConnections = body['on'] === true;
        return send(200, { refuseConnections: sim.faults.refuseConnections });
      case 'POST /clear':
        sim.faults.clear();
        return send(200, { cleared: true });
      case 'POST /drop':
        sim.dropConnections();
        return send(200, { dropped: true });
      case 'POST /notices/deposit':
        await sim.pushDepositNotice({ account: String(body['account']), amount: String(body['amount']), name: String(body['name'] ?? '') });
        return send(200, { sent: true });
      case 'POST /notices/failure':
        await sim.pushFailureNotice(String(body['date']), String(body['seqNo']));
        return send(200, { sent: true });
      case 'POST /notices/payer-cancel': {
        // The payer cancelled at the bank's counter: 2000/650, then collections for it are refused.
        const payerNo = body['payerNo'];
        if (typeof payerNo !== 'string' || payerNo === '') return send(400, { error: `payerNo must be a non-empty string, not ${JSON.stringify(payerNo)}` });
        await sim.pushPayerCancel(payerNo);
        return send(200, { sent: true });
      }
      case 'GET /ledger':
        return send(200, {
          accounts: [...sim.ledger.accounts.values()].map((a) => ({ account: a.account, balance: a.balance.toFixed() })),
          transfers: [...sim.ledger.transfers.values()].map((t) => ({ ...t, amount: t.amount.toFixed(), fee: t.fee.toFixed() })),
        });
      default:
        return send(404, { error: `no route ${route}` });
    }
  } catch (e) {
    // A request the simulator cannot take is the caller's mistake; one it cannot carry out now (no open
    // session to notify, no such transfer) is a conflict with its state.
    return send(e instanceof SimUsageError ? 400 : 409, { error: (e as Error).message });
  }
}
