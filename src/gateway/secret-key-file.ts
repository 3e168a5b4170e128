import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { makePrivateDir, openPrivateFile } from '../files/private-files.js';
import type { Logger } from '../log/logger.js';

/**
 * The key that seals webhook secrets when `FIRMBANK_SECRET_KEY` is not set: `<dataDir>/secret-key`,
 * made once (0600, 32 random bytes, base64) and read back on every start. It lives beside the database
 * it protects, so it guards against a copied database, not a copied data folder: production sets
 * `FIRMBANK_SECRET_KEY` from its secret store, and the gateway says so when it falls back to the file.
 */
export function secretKeyFromDataDir(dataDir: string, log: Logger): string {
  const file = join(dataDir, 'secret-key');
  makePrivateDir(dataDir);
  // Written whole under a name of its own, then linked into place: two gateways starting at once on a
  // fresh folder both end up reading one complete key, never an empty file the other is still writing.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openPrivateFile(tmp, 'wx');
  try {
    writeSync(fd, randomBytes(32).toString('base64') + '\n');
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
    log.warn('gateway.secret-key-made', { file, why: 'FIRMBANK_SECRET_KEY is not set; set it in production' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    unlinkSync(tmp);
  }
  return readFileSync(file, 'utf8').trim();
}
