import { readFileSync } from 'node:fs';
import { UsageError } from './usage-error.js';

/** Bytes from a file, or from stdin when no file (or "-") is given. */
export function readInput(path: string | undefined): Buffer {
  try {
    return readFileSync(path === undefined || path === '-' ? 0 : path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    throw new UsageError(`cannot read ${path ?? 'standard input'}: ${code}`);
  }
}

/** Hex text (whitespace allowed, optional 0x) → bytes; names the first offending character. */
export function parseHex(text: string, source: string): Buffer {
  const clean = text.replace(/^0x/i, '').replace(/\s+/g, '');
  const bad = /[^0-9a-fA-F]/.exec(clean);
  if (bad) throw new UsageError(`${source}: "${bad[0]}" at hex digit ${bad.index} is not hexadecimal`);
  if (clean.length % 2 !== 0) throw new UsageError(`${source}: odd number of hex digits (${clean.length})`);
  return Buffer.from(clean, 'hex');
}

/** Parses JSON input, naming the source when it is not JSON. */
export function parseJson(bytes: Buffer, source: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new UsageError(`${source}: not valid JSON (${(e as Error).message})`);
  }
}
