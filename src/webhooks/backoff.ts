/** The first retry waits about this long; each later one up to twice the one before. */
export const BACKOFF_BASE_MS = 10_000;

/** No single wait is longer than this: a receiver that is back is found within the hour. */
export const BACKOFF_CAP_MS = 3_600_000;

/** An event still undelivered this long after its first attempt is dead-lettered. */
export const DEAD_LETTER_AFTER_MS = 24 * 3_600_000;

/** The longest wait after failed attempt number `attempt`, jitter aside: base × 2^(attempt−1), capped. */
export function backoffCeilingMs(attempt: number): number {
  checkAttempt(attempt);
  // 2 ** 1000 is still a finite double and 2 ** 1100 is Infinity: min() is right for either.
  return Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
}

/**
 * How long to wait, in whole milliseconds, after failed attempt number `attempt` (1 for the first
 * delivery) before the next: exponential (10 s, 20 s, 40 s, … capped at 1 h) with jitter, so that the
 * events that failed together during a receiver's outage do not all come back at the same instant.
 *
 * The jitter spans the upper half of the ceiling, [ceiling/2, ceiling], rather than all of [0, ceiling]
 * ("full jitter"): with full jitter a wait can be next to nothing time after time, hammering a receiver
 * that is down and leaving no bound on the number of attempts in the 24 hours before dead-lettering. With
 * half of each wait fixed, 24 h are reached within 56 waits whatever the dice (32 at the least).
 *
 * `random` must return values in [0, 1) like `Math.random`; anything else (NaN, negative, ≥ 1) is clamped
 * into that interval, so that a bad source cannot produce a negative or unbounded wait.
 *
 * @throws RangeError when `attempt` is not a positive safe integer.
 */
export function nextAttemptDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = backoffCeilingMs(attempt);
  const r = random();
  const unit = r > 0 ? Math.min(r, 1) : 0; // NaN > 0 is false: NaN becomes 0
  return Math.round(ceiling / 2 + unit * (ceiling / 2));
}

/**
 * True when an event first attempted at `firstAttemptAt` is `maxAgeMs` old or older at `now`: stop
 * retrying, dead-letter it. Judged by age rather than by attempts so that the promise ("retried for up to
 * 24 hours") holds however long each attempt took. To avoid scheduling an attempt past the deadline, ask
 * with the time the next attempt would run at: `isDeadLetter(first, new Date(now + delay))`.
 *
 * @throws RangeError when `maxAgeMs` is not a non-negative number or a date is invalid.
 */
export function isDeadLetter(firstAttemptAt: Date, now: Date, maxAgeMs: number = DEAD_LETTER_AFTER_MS): boolean {
  if (!(maxAgeMs >= 0)) throw new RangeError(`isDeadLetter: maxAgeMs must be a non-negative number, got ${maxAgeMs}`);
  const age = now.getTime() - firstAttemptAt.getTime();
  if (Number.isNaN(age)) throw new RangeError('isDeadLetter: invalid Date');
  return age >= maxAgeMs;
}

function checkAttempt(attempt: number): void {
  if (!Number.isSafeInteger(attempt) || attempt < 1) throw new RangeError(`attempt must be a positive integer, got ${attempt}`);
}
