import { Writable } from 'node:stream';
import { jsonLogger, type JsonLogger, type LogLevelSetting } from '../../src/log/logger.js';

/** A real {@link jsonLogger} that writes into memory, and what it wrote. */
export interface LogCapture {
  readonly logger: JsonLogger;
  /** Every line written so far, parsed. */
  lines(): Record<string, unknown>[];
  /** Everything written so far, as written. */
  text(): string;
}

/**
 * A logger for tests that goes through everything production logging does (redaction, serializers, the
 * log context), at `level` (debug: everything), with its output kept for assertions.
 */
export function captureLogs(level: LogLevelSetting = 'debug', component = 'test'): LogCapture {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = jsonLogger(component, { stream, level });
  const text = () => chunks.join('');
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** A UUID, whose last group may be twelve digits by chance: not an account. */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
/** Twelve digits or more, not part of a longer word or hex id: an account number in clear, most likely. */
const LONG_DIGITS = /(?<![0-9A-Za-z])\d{12,}(?![0-9A-Za-z])/g;

/**
 * What of `secrets` appears in clear in `text` (log output): each secret found (accounts, names, one-won
 * codes, API keys, passwords the test used), then every run of 12 or more digits (an account number
 * nobody listed; UUIDs are not counted), then every one of `names` (Hangul names, say) found. Empty when
 * the text is clean: `expect(findClearSecrets(capture.text(), secrets)).toEqual([])`.
 *
 * Secrets are matched as they are, case and all; give distinctive ones (a 4-digit password also appears
 * in the masked form of an account that ends with it).
 */
export function findClearSecrets(text: string, secrets: readonly string[], names: readonly string[] = []): string[] {
  const hits = new Set<string>();
  // As written, and as JSON writes it (a quote or a backslash in a secret is escaped on the line).
  for (const s of secrets) if (s !== '' && (text.includes(s) || text.includes(JSON.stringify(s).slice(1, -1)))) hits.add(s);
  for (const run of text.replace(UUID, '').match(LONG_DIGITS) ?? []) hits.add(run);
  for (const n of names) if (n !== '' && text.includes(n)) hits.add(n);
  return [...hits];
}
