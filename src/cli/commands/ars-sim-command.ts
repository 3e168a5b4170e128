import { randomBytes } from 'node:crypto';
import { jsonLogger } from '../../log/logger.js';
import { logProcessFaults } from '../../log/process-faults.js';
import { ARS_FAULT_KINDS, parseArsFault } from '../../sim/ars-fault-plan.js';
import { ArsSimulator } from '../../sim/ars-simulator.js';
import { UsageError } from '../usage-error.js';

export interface ArsSimOptions {
  port: number;
  host: string;
  /** The bearer token of the API and the control API; FIRMBANK_ARS_TOKEN, else a random one (printed). */
  token?: string | undefined;
  /** The key callbacks are signed with; FIRMBANK_ARS_CALLBACK_SECRET, else a random one (printed). */
  callbackSecret?: string | undefined;
  /** `KIND[:COUNT|always]`, each armed in order. */
  faults: string[];
  /** How long a call rings before it ends. */
  delayMs: number;
}

/** The usage lines of `firmbank ars-sim`, for the CLI's USAGE. */
export const ARS_SIM_USAGE = `firmbank ars-sim [--port N] [--host H] [--token T] [--callback-secret S] [--delay MS]
               [--fault KIND[:COUNT|always]]...
                                                          an ARS (phone consent) provider simulator on a real port`;

/**
 * `firmbank ars-sim`: the ARS simulator on a real port until SIGINT/SIGTERM. Prints
 * `firmbank ars-sim: listening on HOST:PORT` on stdout once ready (scripts wait for that line), and,
 * when the token or the callback secret was not given, a second line with the generated ones.
 */
export async function arsSimCommand(opts: ArsSimOptions): Promise<void> {
  const log = jsonLogger('ars-sim');
  logProcessFaults(log);
  const given = { token: opts.token ?? process.env['FIRMBANK_ARS_TOKEN'], secret: opts.callbackSecret ?? process.env['FIRMBANK_ARS_CALLBACK_SECRET'] };
  if (given.token === '' || given.secret === '') throw new UsageError('ars-sim: --token and --callback-secret may not be empty');
  const token = given.token ?? randomBytes(16).toString('hex');
  const callbackSecret = given.secret ?? randomBytes(16).toString('hex');
  const sim = new ArsSimulator({ token, callbackSecret, delayMs: opts.delayMs, logger: log });
  for (const text of opts.faults) {
    const f = parseArsFault(text);
    if (!f) throw new UsageError(`--fault ${text}: expected KIND[:COUNT|always], KIND one of ${ARS_FAULT_KINDS.join(', ')}`);
    sim.faults.arm(f.kind, f.count);
  }
  let port: number;
  try {
    port = await sim.listen(opts.port, opts.host);
  } catch (e) {
    throw new UsageError(`ars-sim: cannot listen on ${opts.host}:${opts.port}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  process.stdout.write(`firmbank ars-sim: listening on ${opts.host}:${port}\n`);
  // Secrets someone chose are theirs and never echoed; generated ones are useless unless shown once.
  if (given.token === undefined || given.secret === undefined) {
    process.stdout.write(`firmbank ars-sim: Authorization: Bearer ${given.token === undefined ? token : '<your token>'}, callback secret ${given.secret === undefined ? callbackSecret : '<your secret>'}\n`);
  }
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sim.close();
}
