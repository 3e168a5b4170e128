import { closeSync, fsyncSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { makePrivateDir, openPrivateFile } from '../files/private-files.js';
import { FirmbankError } from '../errors/firmbank-error.js';
import { SequenceExhaustedError, type SeqNo, type SeqScope, type SequenceSource } from './sequence.js';

/**
 * 전문번호 kept in a small JSON file, for command-line tools (`firmbank send`) that must not reuse a
 * number across runs on the same day. Each number is written to disk (fsync, atomic rename) under an
 * exclusive lock file before it is handed out. The gateway uses the database-backed source instead.
 * The file and its lock are 0600, and a folder it creates 0700: they tell what we sent to which bank.
 */
export class FileSequenceSource implements SequenceSource {
  constructor(private readonly file: string) {}

  async next(scope: SeqScope): Promise<SeqNo> {
    makePrivateDir(dirname(this.file));
    const lock = `${this.file}.lock`;
    let fd: number;
    try {
      fd = openPrivateFile(lock, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new FirmbankError('FB_SEQ_FILE', `cannot create ${lock}: ${(e as Error).message}`);
      throw new FirmbankError('FB_SEQ_LOCKED', `${lock} exists: another process is numbering telegrams (remove it if none is)`);
    }
    try {
      let state: Record<string, number> = {};
      try {
        state = JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, number>;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new FirmbankError('FB_SEQ_FILE', `${this.file} is not a sequence file: ${(e as Error).message}`);
      }
      const key = `${scope.date}|${scope.bankCode}|${scope.companyId}`;
      const n = (state[key] ?? 0) + 1;
      if (n > scope.max) throw new SequenceExhaustedError(scope);
      // Numbering restarts daily: keep only this month's scopes so that the file stays small.
      const keep = Object.fromEntries(Object.entries(state).filter(([k]) => k.slice(0, 10) >= scope.date.slice(0, 8) + '00'));
      keep[key] = n;
      const tmp = `${this.file}.tmp`;
      const out = openPrivateFile(tmp, 'w'); // renamed over the file: its mode becomes the file's
      writeSync(out, JSON.stringify(keep));
      fsyncSync(out);
      closeSync(out);
      renameSync(tmp, this.file);
      return n as SeqNo;
    } finally {
      closeSync(fd);
      rmSync(lock, { force: true });
    }
  }
}
