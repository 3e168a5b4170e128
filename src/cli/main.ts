import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isFirmbankError } from '../errors/firmbank-error.js';
import { apiKeyCreateCommand, apiKeyListCommand, apiKeyRevokeCommand, APIKEY_USAGE } from './commands/apikey-command.js';
import { decodeCommand, encodeCommand } from './commands/codec-commands.js';
import { codeCommand } from './commands/code-command.js';
import { demoCommand } from './commands/demo.js';
import { breaksCommand, closeDayCommand, reconcileCommand, RECONCILE_USAGE } from './commands/reconcile-command.js';
import { DEFAULT_SEQ_FILE, sendCommand } from './commands/send-command.js';
import { webhookCommand, WEBHOOK_USAGE } from './commands/webhook-command.js';
import { switchCommand, SWITCH_USAGE } from './commands/switch-command.js';
import { consentCommand, CONSENT_USAGE } from './commands/consent-command.js';
import { operatorCommand, OPERATOR_USAGE } from './commands/operator-command.js';
import { simCommand } from './commands/sim-command.js';
import { arsSimCommand, ARS_SIM_USAGE } from './commands/ars-sim-command.js';
import { startCommand } from './commands/start-command.js';
import { specCheckCommand, specShowCommand } from './commands/spec-commands.js';
import { UsageError } from './usage-error.js';
import { errorText } from '../log/error-details.js';

const USAGE = `usage:
  firmbank decode --spec FILE [--hex] [INPUT]             one telegram (no length prefix) → JSON
  firmbank encode --spec FILE [--message NAME] [--hex] [INPUT.json]
                                                          {"fields": {...}} → one telegram
  firmbank spec check FILE...                             validate spec files
  firmbank spec show FILE [MESSAGE]                       messages, or one layout with offsets
  firmbank code [--profile FILE] BANK CODE                meaning of a bank's response code (Hecto's table by default)
  firmbank start                                          the gateway (config: FIRMBANK_CONFIG, DATABASE_URL, REDIS_URL, PORT)
  ${APIKEY_USAGE}
  ${RECONCILE_USAGE}
  ${WEBHOOK_USAGE}
  ${SWITCH_USAGE}
  ${CONSENT_USAGE}
  ${OPERATOR_USAGE}
  firmbank demo                                           encode and decode the sample transfer
  firmbank sim --spec FILE [--port N] [--host H] [--latency MS] [--late MS] [--refuse]
               [--fault KIND[:MESSAGE][:COUNT|always]]... [--control-port N] [--control-token T]
                                                          a bank simulator on a real port
  ${ARS_SIM_USAGE}
  firmbank send --spec FILE --host H --port P --message NAME [--company ID] [--bank CODE]
               [--timeout MS] [--seq-file FILE] [INPUT.json]
                                                          one request over a real session; prints the reply
INPUT defaults to standard input. Exit status: 0 ok, 2 bad input (one line on stderr), 3 request not
answered (not sent, or outcome unknown: see the printed advice) or breaks found by reconcile, 1 internal error.`;

type Output = string | Buffer | { output: string; exitCode: number };

/** A non-negative integer flag, or a UsageError naming it. */
function intFlag(name: string, value: unknown, fallback?: number): number {
  if (value === undefined) {
    if (fallback === undefined) throw new UsageError(`--${name} is required`);
    return fallback;
  }
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || !Number.isSafeInteger(n)) throw new UsageError(`--${name} ${String(value)}: expected a non-negative integer`);
  return n;
}

async function run(argv: string[]): Promise<Output> {
  const [command, ...rest] = argv;
  const flags = (options: NonNullable<ParseArgsConfig['options']>, args = rest) => {
    try {
      return parseArgs({ args, options, allowPositionals: true, strict: true });
    } catch (e) {
      throw new UsageError(`${command}: ${(e as Error).message}`);
    }
  };
  switch (command) {
    case 'decode': {
      const { values, positionals } = flags({ spec: { type: 'string' }, hex: { type: 'boolean', default: false } });
      if (typeof values.spec !== 'string') throw new UsageError('decode: --spec FILE is required');
      if (positionals.length > 1) throw new UsageError('decode: one INPUT at most');
      return decodeCommand({ spec: values.spec, hex: values.hex === true, input: positionals[0] }) + '\n';
    }
    case 'encode': {
      const { values, positionals } = flags({ spec: { type: 'string' }, message: { type: 'string' }, hex: { type: 'boolean', default: false } });
      if (typeof values.spec !== 'string') throw new UsageError('encode: --spec FILE is required');
      if (positionals.length > 1) throw new UsageError('encode: one INPUT at most');
      const out = encodeCommand({ spec: values.spec, message: values.message as string | undefined, hex: values.hex === true, input: positionals[0] });
      return typeof out === 'string' ? out + '\n' : out;
    }
    case 'spec': {
      const [sub, ...files] = rest;
      if (sub === 'check') return specCheckCommand(files) + '\n';
      if (sub === 'show') {
        if (files.length > 2) throw new UsageError('spec show: FILE [MESSAGE]');
        return specShowCommand(files[0], files[1]) + '\n';
      }
      throw new UsageError(`spec: unknown subcommand ${sub ?? '(none)'} (check, show)`);
    }
    case 'code': {
      const { values, positionals } = flags({ profile: { type: 'string' } });
      if (positionals.length !== 2) throw new UsageError('code: [--profile FILE] BANK CODE');
      return codeCommand(positionals[0], positionals[1], values.profile as string | undefined) + '\n';
    }
    case 'demo':
      return demoCommand() + '\n';
    case 'start':
      if (rest.length > 0) throw new UsageError('start takes no arguments (configure with FIRMBANK_CONFIG and the environment)');
      await startCommand();
      return '';
    case 'apikey': {
      const [sub, ...more] = rest;
      if (sub === 'create') {
        const { values, positionals } = flags({ 'max-amount': { type: 'string' }, scope: { type: 'string' } }, more);
        if (positionals.length !== 1) throw new UsageError('apikey create SERVICE [--max-amount WON] [--scope a,b]');
        return (await apiKeyCreateCommand(positionals[0], values['max-amount'] as string | undefined, values.scope as string | undefined)) + '\n';
      }
      if (sub === 'list') {
        if (more.length > 0) throw new UsageError('apikey list takes no arguments');
        return (await apiKeyListCommand()) + '\n';
      }
      if (sub === 'revoke') {
        if (more.length !== 1) throw new UsageError('apikey revoke ID (apikey list shows the ids)');
        return (await apiKeyRevokeCommand(more[0])) + '\n';
      }
      throw new UsageError(`apikey: unknown subcommand ${sub ?? '(none)'} (create, list, revoke)`);
    }
    case 'reconcile': {
      const { values, positionals } = flags({ date: { type: 'string' }, institution: { type: 'string' }, file: { type: 'string' }, 'file-spec': { type: 'string' }, json: { type: 'boolean', default: false } });
      if (positionals.length > 0) throw new UsageError(`reconcile: unexpected argument ${positionals[0]}`);
      return reconcileCommand({
        date: values.date as string | undefined,
        ...(values.institution !== undefined ? { institution: values.institution as string } : {}),
        ...(values.file !== undefined ? { file: values.file as string } : {}),
        ...(values['file-spec'] !== undefined ? { fileSpec: values['file-spec'] as string } : {}),
        json: values.json === true,
      });
    }
    case 'webhook': {
      const [sub, ...more] = rest;
      const { values, positionals } = flags({ types: { type: 'string' }, service: { type: 'string' }, status: { type: 'string' } }, more);
      return (await webhookCommand(sub, positionals, values as { types?: string; service?: string; status?: string })) + '\n';
    }
    case 'switch': {
      const [sub, ...more] = rest;
      const { values, positionals } = flags({ by: { type: 'string' }, reason: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean', default: false } }, more);
      return (await switchCommand(sub, positionals, { ...(values as { by?: string; reason?: string; limit?: string }), json: values.json === true })) + '\n';
    }
    case 'consent': {
      const [sub, ...more] = rest;
      const { values, positionals } = flags({ from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' }, service: { type: 'string' }, evidence: { type: 'string' } }, more);
      return consentCommand(sub, positionals, values as { from?: string; to?: string; out?: string; service?: string; evidence?: string });
    }
    case 'operator': {
      const [sub, ...more] = rest;
      const { values, positionals } = flags({ role: { type: 'string' }, unmask: { type: 'boolean', default: false }, reason: { type: 'string' } }, more);
      return (await operatorCommand(sub, positionals, { role: values.role as string | undefined, unmask: values.unmask === true, reason: values.reason as string | undefined })) + '\n';
    }
    case 'breaks': {
      const { values, positionals } = flags({ date: { type: 'string' }, institution: { type: 'string' }, status: { type: 'string' }, by: { type: 'string' }, reason: { type: 'string' }, json: { type: 'boolean', default: false } });
      const [sub, id, ...extra] = positionals;
      if (extra.length > 0) throw new UsageError(`breaks: unexpected argument ${extra[0]}`);
      const text = (k: string) => values[k] as string | undefined;
      return (await breaksCommand({ sub, id, date: text('date'), institution: text('institution'), status: text('status'), by: text('by'), reason: text('reason'), json: values.json === true })) + '\n';
    }
    case 'close-day': {
      const { values, positionals } = flags({ date: { type: 'string' }, json: { type: 'boolean', default: false } });
      if (positionals.length > 0) throw new UsageError(`close-day: unexpected argument ${positionals[0]}`);
      return (await closeDayCommand(values.date as string | undefined, values.json === true)) + '\n';
    }
    case 'sim': {
      const { values, positionals } = flags({
        spec: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        latency: { type: 'string' },
        late: { type: 'string' },
        refuse: { type: 'boolean', default: false },
        fault: { type: 'string', multiple: true },
        'control-port': { type: 'string' },
        'control-token': { type: 'string' },
      });
      if (typeof values.spec !== 'string') throw new UsageError('sim: --spec FILE is required');
      if (positionals.length > 0) throw new UsageError(`sim: unexpected argument ${positionals[0]}`);
      await simCommand({
        spec: values.spec,
        port: intFlag('port', values.port, 0),
        host: (values.host as string | undefined) ?? '127.0.0.1',
        latencyMs: intFlag('latency', values.latency, 0),
        lateMs: values.late === undefined ? undefined : intFlag('late', values.late),
        refuse: values.refuse === true,
        faults: (values.fault as string[] | undefined) ?? [],
        controlPort: values['control-port'] === undefined ? undefined : intFlag('control-port', values['control-port']),
        controlToken: values['control-token'] as string | undefined,
      });
      return '';
    }
    case 'ars-sim': {
      const { values, positionals } = flags({
        port: { type: 'string' },
        host: { type: 'string' },
        token: { type: 'string' },
        'callback-secret': { type: 'string' },
        fault: { type: 'string', multiple: true },
        delay: { type: 'string' },
      });
      if (positionals.length > 0) throw new UsageError(`ars-sim: unexpected argument ${positionals[0]}`);
      await arsSimCommand({
        port: intFlag('port', values.port, 0),
        host: (values.host as string | undefined) ?? '127.0.0.1',
        token: values.token as string | undefined,
        callbackSecret: values['callback-secret'] as string | undefined,
        faults: (values.fault as string[] | undefined) ?? [],
        delayMs: intFlag('delay', values.delay, 50),
      });
      return '';
    }
    case 'send': {
      const { values, positionals } = flags({
        spec: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        message: { type: 'string' },
        company: { type: 'string' },
        bank: { type: 'string' },
        timeout: { type: 'string' },
        'seq-file': { type: 'string' },
      });
      if (typeof values.spec !== 'string' || typeof values.message !== 'string') throw new UsageError('send: --spec FILE and --message NAME are required');
      if (positionals.length > 1) throw new UsageError('send: one INPUT at most');
      return sendCommand({
        spec: values.spec,
        host: (values.host as string | undefined) ?? '127.0.0.1',
        port: intFlag('port', values.port),
        message: values.message,
        company: values.company as string | undefined,
        bank: values.bank as string | undefined,
        timeoutMs: intFlag('timeout', values.timeout, 30_000),
        seqFile: (values['seq-file'] as string | undefined) ?? DEFAULT_SEQ_FILE,
        input: positionals[0],
      });
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      return USAGE + '\n';
    default:
      throw new UsageError(`unknown command "${command}" (firmbank help lists them)`);
  }
}

/** Runs the CLI; a user's mistake prints one line (never a stack trace) and exits 2. */
export async function main(argv: string[]): Promise<void> {
  try {
    const out = await run(argv);
    if (typeof out === 'string' || Buffer.isBuffer(out)) process.stdout.write(out);
    else {
      process.stdout.write(out.output + '\n');
      process.exitCode = out.exitCode;
    }
  } catch (e) {
    if (isFirmbankError(e)) {
      process.stderr.write(`firmbank: ${e.code}: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`firmbank: internal error (a bug, please report): ${errorText(e)}\n`);
    process.exitCode = 1;
  }
}
