import { chmodSync, closeSync, existsSync, fchmodSync, mkdirSync, openSync } from 'node:fs';

/**
 * Makes `dir` (and its missing parents) with mode 0700. A folder we create is chmod-ed so that the umask
 * cannot widen or narrow it; an existing folder is left as its owner set it unless `tightenExisting`
 * (for folders that are ours by definition, such as the default `.data/`), because a folder someone chose
 * may be shared on purpose. The files we put in it are 0600 either way.
 */
export function makePrivateDir(dir: string, tightenExisting = false): void {
  const existed = existsSync(dir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (!existed || tightenExisting) chmodSync(dir, 0o700);
}

/**
 * Opens `file` (creating it with mode 0600 when missing) and makes it 0600 whatever the umask, tightening a
 * file left wider by an earlier version. A file owned by someone else (EPERM) keeps its mode: if we may
 * write it, its owner meant to share it.
 */
export function openPrivateFile(file: string, flags: string): number {
  const fd = openSync(file, flags, 0o600);
  try {
    fchmodSync(fd, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') {
      closeSync(fd);
      throw e;
    }
  }
  return fd;
}

/** Creates `file` empty with mode 0600 when missing, or makes an existing one 0600 (see {@link openPrivateFile}). */
export function makePrivateFile(file: string): void {
  closeSync(openPrivateFile(file, 'a'));
}
