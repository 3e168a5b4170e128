import { userInfo } from 'node:os';

/** Who the audit log names for the command line: the operating-system user running it. */
export function cliActor(env: Readonly<Record<string, string | undefined>> = process.env): string {
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry (some containers): the environment may still say
    user = env['USER'] ?? env['USERNAME'];
  }
  return `cli:${(user || 'unknown').slice(0, 90)}`;
}
