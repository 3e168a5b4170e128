import { FirmbankError } from '../errors/firmbank-error.js';

/** Where in a bank-file spec something is wrong (the `file:` section, or the spec as a whole). */
export interface BankFileSpecLocation {
  readonly file: string;
  /** 1-based line, when the YAML node is known. */
  readonly line?: number;
  /** Path inside the document, e.g. `file.checks[2].where.resultFlag`. */
  readonly path: string;
  readonly message?: string;
  readonly field?: string;
}

/**
 * A bank-file spec that cannot be used: the file, the place in it and the reason. Mirrors
 * {@link import('../spec/spec-error.js').SpecError}, which still reports problems in the telegram part.
 */
export class BankFileSpecError extends FirmbankError {
  declare readonly code: 'FB_FILE_SPEC_INVALID';
  readonly location: BankFileSpecLocation;
  readonly reason: string;

  constructor(location: BankFileSpecLocation, reason: string) {
    const where = `${location.file}${location.line ? `:${location.line}` : ''}`;
    const what = [location.message && `message ${location.message}`, location.field && `field ${location.field}`].filter(Boolean);
    super('FB_FILE_SPEC_INVALID', `${where}: ${location.path ? location.path + ': ' : ''}${reason}${what.length ? ` (${what.join(', ')})` : ''}`);
    this.location = location;
    this.reason = reason;
  }
}
