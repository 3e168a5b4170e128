import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, link, mkdir, open, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { EvidenceConflictError } from '../flows/evidence-conflict-error.js';
import { EvidenceKeyError } from '../flows/evidence-key-error.js';
import { EvidenceMissingError } from '../flows/evidence-missing-error.js';
import type { EvidenceStore } from '../flows/ars-port.js';
import { makePrivateDir } from '../files/private-files.js';

/** The evidence folder when configuration names none. */
export function defaultEvidenceDir(dataDir: string): string {
  return join(dataDir, 'evidence');
}

/** A safe key longer than this would make a file name too long for common file systems (255 bytes). */
const MAX_SAFE_KEY = 150;
/** How much of the SHA-256 is in a file's name: enough to tell versions apart at a glance. */
const SHA_PREFIX = 16;
/** A safe key (see {@link safeKey}): never empty, never starting with `.`, never holding `..`. */
const SAFE_KEY = /^(?!\.)(?!.*\.\.)([A-Za-z0-9_.-]|%[0-9A-F]{2})+$/;
/** A key's extension (`.wav`), kept at the end of the file name so that the file opens as what it is. */
const EXTENSION = /^(.+)(\.[A-Za-z0-9]{1,10})$/;

/**
 * {@link EvidenceStore} over a folder (by default `<dataDir>/evidence`): each key gets a folder of its own
 * holding one file, named by the key with the first 16 hex digits of the bytes' SHA-256 before its
 * extension: key `consent-42-recording.wav` is kept as
 * `consent-42-recording.wav/consent-42-recording.9f86d081884c7d65.wav`, and that path is its location.
 * The folder per key makes "is something already kept under this key?" one small directory read, however
 * many years of evidence the store holds; the hash in the name shows which bytes a file holds without
 * reading it.
 *
 * - The safe form of a key keeps `A–Z a–z 0–9 _ - .` and writes every other byte of its UTF-8 as `%XX`
 *   (a leading `.` too, so that nothing is hidden), so two keys never share a name. A key holding `/`,
 *   `\`, `..`, NUL or another control character, an empty key, or one whose safe form exceeds 150
 *   characters is an {@link EvidenceKeyError}.
 * - Files are 0600 and folders 0700 whatever the umask; the store's folder is tightened to 0700 even when
 *   it already existed: it holds voice recordings and phone numbers.
 * - A file is written whole to a temporary name, fsync-ed, then hard-linked to its name (which, unlike a
 *   rename, never replaces a file already there) and the folder fsync-ed: a crash leaves either nothing or
 *   the whole file, never a part. Temporary files a crash leaves behind start with `.` and are ignored.
 * - Puts of one key are serialised in this process; one writer per key across processes is the caller's
 *   (a consent has one recording, kept by the process that handles its confirmation).
 */
export class FolderEvidenceStore implements EvidenceStore {
  private rootReady = false;
  /** The last put of each key in progress, so that puts of one key run one after the other. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly dir: string) {}

  /** {@inheritDoc EvidenceStore.put} */
  async put(key: string, bytes: Buffer): Promise<{ readonly location: string; readonly sha256: string }> {
    const safe = safeKey(key);
    const previous = this.queues.get(safe) ?? Promise.resolve();
    const mine = previous.catch(() => undefined).then(() => this.putNow(key, safe, bytes));
    this.queues.set(safe, mine);
    const forget = () => {
      if (this.queues.get(safe) === mine) this.queues.delete(safe);
    };
    mine.then(forget, forget);
    return mine;
  }

  /** {@inheritDoc EvidenceStore.get} */
  async get(location: string): Promise<Buffer> {
    if (!isLocation(location)) throw new EvidenceKeyError(`${JSON.stringify(location.slice(0, 200))} is not a location of this evidence store`);
    try {
      return await readFile(join(this.dir, location));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new EvidenceMissingError(location);
      throw e;
    }
  }

  private async putNow(key: string, safe: string, bytes: Buffer): Promise<{ location: string; sha256: string }> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const name = fileName(safe, sha256.slice(0, SHA_PREFIX));
    const location = `${safe}/${name}`;
    const keyDir = join(this.dir, safe);
    this.ensureRoot();
    if (await makeFolder(keyDir)) await syncDir(this.dir);

    const kept = await this.kept(key, safe, keyDir, bytes);
    if (kept !== null) return { location: kept, sha256 };

    const temp = join(keyDir, `.${safe}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    const fh = await open(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      try {
        await fh.chmod(0o600); // whatever the umask
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      try {
        await link(temp, join(keyDir, name));
      } catch (e) {
        // Another process kept this key meanwhile: the same bytes are fine, others are a conflict.
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const raced = await this.kept(key, safe, keyDir, bytes);
        if (raced !== null) return { location: raced, sha256 };
        throw e;
      }
    } finally {
      await unlink(temp).catch(() => undefined);
    }
    await syncDir(keyDir);
    return { location, sha256 };
  }

  /** Where the same bytes are already kept under the key, or null when nothing is; other bytes: a conflict. */
  private async kept(key: string, safe: string, keyDir: string, bytes: Buffer): Promise<string | null> {
    // The folder is the key's: every name in it but a temporary one (`.…`) is evidence of this key.
    const names = (await readdir(keyDir)).filter((n) => !n.startsWith('.'));
    for (const n of names) {
      const existing = await readFile(join(keyDir, n));
      if (!existing.equals(bytes)) throw new EvidenceConflictError(key, `${safe}/${n}`);
    }
    return names[0] === undefined ? null : `${safe}/${names[0]}`;
  }

  private ensureRoot(): void {
    if (this.rootReady) return;
    makePrivateDir(this.dir, true);
    this.rootReady = true;
  }
}

/**
 * The file-name form of a key (see {@link FolderEvidenceStore}).
 *
 * @throws EvidenceKeyError for a key that may not name evidence.
 */
export function safeKey(key: string): string {
  if (key === '') throw new EvidenceKeyError('an evidence key may not be empty');
  if (key.includes('/') || key.includes('\\') || key.includes('..')) throw new EvidenceKeyError(`evidence key ${JSON.stringify(key)} holds "/", "\\" or "..": it must not name a path`);
  if (/[\x00-\x1f\x7f]/.test(key)) throw new EvidenceKeyError(`evidence key ${JSON.stringify(key)} holds NUL or another control character`);
  let safe = '';
  for (const byte of Buffer.from(key, 'utf8')) {
    const c = String.fromCharCode(byte);
    safe += /[A-Za-z0-9_.-]/.test(c) && !(c === '.' && safe === '') ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (safe.length > MAX_SAFE_KEY) throw new EvidenceKeyError(`evidence key ${JSON.stringify(key.slice(0, 40))}… is too long (${safe.length} characters as a file name, ${MAX_SAFE_KEY} at most)`);
  return safe;
}

/** The file name of evidence under `safe` whose SHA-256 starts with `shaPrefix`: the prefix before the key's extension. */
function fileName(safe: string, shaPrefix: string): string {
  const m = EXTENSION.exec(safe);
  return m ? `${m[1]}.${shaPrefix}${m[2]}` : `${safe}.${shaPrefix}`;
}

/** True for a location {@link FolderEvidenceStore.put} hands out: `<safe key>/<its file name>`, nothing else. */
function isLocation(location: string): boolean {
  const parts = location.split('/');
  if (parts.length !== 2 || !SAFE_KEY.test(parts[0]!)) return false;
  const sha = /\.([0-9a-f]{16})(?:\.[A-Za-z0-9]{1,10})?$/.exec(parts[1]!)?.[1];
  return sha !== undefined && parts[1] === fileName(parts[0]!, sha);
}

/** Makes `dir` 0700 whatever the umask; true when it was created (so that its parent is fsync-ed). */
async function makeFolder(dir: string): Promise<boolean> {
  try {
    await mkdir(dir, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
  await chmod(dir, 0o700);
  return true;
}

/** Makes a folder's entries durable (a new name in it survives a power cut once this resolves). */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
