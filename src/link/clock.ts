/** The time source of a link; tests move it across midnight. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

/** Korea Standard Time has no daylight saving: UTC+9 all year. */
const KST_OFFSET_MS = 9 * 3600_000;

/** Date and time as Korean banks write them (KST): "YYYY-MM-DD", "hh:mm:ss" and the poll stamp MMDDhhmmss. */
export interface KstStamp {
  readonly date: string;
  readonly time: string;
  readonly mmddhhmmss: string;
}

let cachedSecond = NaN;
let cached: KstStamp;

/** The stamp of `at`; computed once per second (links ask for it on every telegram). */
export function kst(at: Date): KstStamp {
  const second = Math.floor(at.getTime() / 1000);
  if (second === cachedSecond) return cached;
  const iso = new Date(second * 1000 + KST_OFFSET_MS).toISOString();
  const date = iso.slice(0, 10);
  const time = iso.slice(11, 19);
  cached = { date, time, mmddhhmmss: date.slice(5, 7) + date.slice(8, 10) + time.replace(/:/g, '') };
  cachedSecond = second;
  return cached;
}
