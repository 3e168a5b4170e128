import { ValidationError } from '../../flows/validation-error.js';

/**
 * Opaque cursors of the console's newest-first keyset pages: base64url of `<listing> <time> <id>` (or
 * `<listing> <id>` for listings ordered by an integer id alone). The time is the value the database
 * orders by, as text to its full precision: ISO 8601 to the microsecond on PostgreSQL, the stored text on
 * SQLite (which compares times as the text it keeps). The listing's name is in it so that a cursor of one
 * listing is refused by another instead of paging it from a wrong place.
 */
export interface TimePosition {
  readonly at: string;
  readonly id: string;
}

/** PostgreSQL's cursor time, as `to_char(… 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` writes it. */
const PG_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{6})Z$/;
/** How SQLite keeps times (written by Sql and TypeORM; without the fraction by a CURRENT_TIMESTAMP default). */
const SQLITE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$/;
const TEXT_ID = /^[\x21-\x7e]{1,64}$/;
const INT_ID = /^[1-9]\d{0,15}$/;

/** The SQL that reads a time column as the cursor keeps it (as `cursor_at`). */
export function cursorTimeSql(postgres: boolean, column: string): string {
  return postgres ? `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` : column;
}

export function formatTimeCursor(listing: string, p: TimePosition): string {
  return Buffer.from(`${listing} ${p.at} ${p.id}`, 'utf8').toString('base64url');
}

export function formatIdCursor(listing: string, id: number): string {
  return Buffer.from(`${listing} ${id}`, 'utf8').toString('base64url');
}

/**
 * The position in a cursor of `listing` made by {@link formatTimeCursor} on this kind of database.
 * @throws ValidationError `FB_VALIDATION` on the field `after` for anything else.
 */
export function parseTimeCursor(listing: string, cursor: string, postgres: boolean): TimePosition {
  const parts = words(listing, cursor);
  // SQLite's time holds a space: the id is the last word, the time what is between.
  const id = parts.pop() ?? '';
  const at = parts.join(' ');
  if (!TEXT_ID.test(id)) bad('no id');
  if (postgres ? !isPgTime(at) : !isSqliteTime(at)) bad('no time');
  return { at, id };
}

/** The id in a cursor of `listing` made by {@link formatIdCursor}. */
export function parseIdCursor(listing: string, cursor: string): number {
  const parts = words(listing, cursor);
  if (parts.length !== 1 || !INT_ID.test(parts[0]!)) bad('no id');
  const id = Number(parts[0]);
  if (!Number.isSafeInteger(id)) bad('no id');
  return id;
}

/** The cursor's words after its listing name, once it is known to be a cursor of that listing. */
function words(listing: string, cursor: string): string[] {
  if (typeof cursor !== 'string' || !/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) bad('not base64url');
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  // base64url has several spellings of the last bits: only the one we write is ours
  if (Buffer.from(text, 'utf8').toString('base64url') !== cursor) bad('not base64url');
  const parts = text.split(' ');
  if (parts.shift() !== listing) bad(`not a cursor of ${listing}`);
  return parts;
}

function isPgTime(at: string): boolean {
  const m = PG_TIME.exec(at);
  if (!m) return false;
  // a real instant: the calendar part must survive a round trip (no 2026-02-30, no 25:00)
  const ms = Date.parse(at.slice(0, 23) + 'Z');
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 19) === at.slice(0, 19);
}

function isSqliteTime(at: string): boolean {
  if (!SQLITE_TIME.test(at)) return false;
  const iso = at.replace(' ', 'T').slice(0, 23) + 'Z';
  const ms = Date.parse(iso);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 19) === iso.slice(0, 19);
}

function bad(why: string): never {
  throw new ValidationError('after', `the cursor is not one this listing handed out (${why})`);
}
