import { parseArgs, type ParseArgsConfig } from 'node:util';
import { isFirmbankError } from '../errors/firmbank-error.js';
import { decodeCommand, encodeCommand } from './commands/codec-commands.js';
import { codeCommand } from './commands/code-command.js';
import { demoCommand } from './commands/demo.js';
import { specCheckCommand, specShowCommand } from './commands/spec-commands.js';
import { UsageError } from './usage-error.js';

const USAGE = `usage:
  firmbank decode --spec FILE [--hex] [INPUT]             one telegram (no length prefix) → JSON
  firmbank encode --spec FILE [--message NAME] [--hex] [INPUT.json]
                                                          {"fields": {...}} → one telegram
  firmbank spec check FILE...                             validate spec files
  firmbank spec show FILE [MESSAGE]                       messages, or one layout with offsets
  firmbank code BANK CODE                                 meaning of a bank's response code
  firmbank demo                                           encode and decode the sample transfer
INPUT defaults to standard input. Exit status: 0 ok, 2 bad input (one line on stderr), 1 internal error.`;

type Output = string | Buffer;

function run(argv: string[]): Output {
  const [command, ...rest] = argv;
  const flags = (options: NonNullable<ParseArgsConfig['options']>) => {
    try {
      return parseArgs({ args: rest, options, allowPositionals: true, strict: true });
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
    case 'code':
      if (rest.length !== 2) throw new UsageError('code: BANK CODE');
      return codeCommand(rest[0], rest[1]) + '\n';
    case 'demo':
      return demoCommand() + '\n';
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
export function main(argv: string[]): void {
  try {
    const out = run(argv);
    process.stdout.write(out);
  } catch (e) {
    if (isFirmbankError(e)) {
      process.stderr.write(`firmbank: ${e.code}: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`firmbank: internal error (a bug, please report): ${(e as Error).stack ?? String(e)}\n`);
    process.exitCode = 1;
  }
}
