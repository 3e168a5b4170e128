import { FirmbankError } from '../errors/firmbank-error.js';

/** Where in a spec file something is wrong. */
export interface SpecLocation {
  readonly file: string;
  /** 1-based line, when the YAML node is known. */
  readonly line?: number;
  /** Path inside the document, e.g. `messages.transfer.request.fields[3].length`. */
  readonly path: string;
  readonly message?: string;
  readonly field?: string;
}

/** A spec file that cannot be used: the file, the place in it and the reason. */
export class SpecError extends FirmbankError {
  readonly location: SpecLocation;
  readonly reason: string;

  constructor(location: SpecLocation, reason: string) {
    const where = `${location.file}${location.line ? `:${location.line}` : ''}`;
    const what = [
      location.message && `message ${location.message}`,
      location.field && `field ${location.field}`,
    ].filter(Boolean);
    super('FB_SPEC_INVALID', `${where}: ${location.path ? location.path + ': ' : ''}${reason}${what.length ? ` (${what.join(', ')})` : ''}`);
    this.location = location;
    this.reason = reason;
  }
}
