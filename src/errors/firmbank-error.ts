/**
 * Base of every error this engine raises on purpose. `code` is stable and meant for programs
 * (switch on it, count it, map it to an HTTP status); `message` is meant for people.
 */
export class FirmbankError extends Error {
  /** Stable machine-readable code, e.g. `FB_ENCODE_TOO_LONG`. */
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** True for errors raised on purpose by firmbank (as opposed to bugs). */
export function isFirmbankError(e: unknown): e is FirmbankError {
  return e instanceof FirmbankError;
}
