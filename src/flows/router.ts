import { ValidationError } from './validation-error.js';

/** "Transfers to these banks go through this institution"; a rule without banks takes any bank. */
export interface RouteRule {
  readonly banks?: readonly string[];
  readonly institution: string;
}

/** Where a transfer goes, and why (stored with the transfer's first event). */
export interface Route {
  readonly institution: string;
  readonly reason: string;
}

/**
 * Chooses the institution of a transfer: the one the caller names, else the first rule whose banks
 * include the receiving bank, else the first institution configured.
 */
export class Router {
  constructor(
    private readonly institutions: readonly string[],
    private readonly rules: readonly RouteRule[],
  ) {}

  /** The institution a caller named (an unknown one is the caller's mistake), or the first configured. */
  named(institution: string | undefined): string {
    if (institution === undefined) return this.institutions[0]!;
    if (!this.institutions.includes(institution)) throw new ValidationError('institution', `unknown institution "${institution}" (known: ${this.institutions.join(', ')})`);
    return institution;
  }

  /** Where a transfer to `receivingBank` goes. */
  route(named: string | undefined, receivingBank: string): Route {
    if (named !== undefined) return { institution: this.named(named), reason: 'named by the caller' };
    const i = this.rules.findIndex((r) => !r.banks || r.banks.includes(receivingBank));
    if (i >= 0) {
      const r = this.rules[i]!;
      return { institution: r.institution, reason: `routing rule ${i + 1}${r.banks ? ` (banks ${r.banks.join(', ')})` : ' (any bank)'}` };
    }
    return { institution: this.institutions[0]!, reason: 'the first institution (no routing rule matched)' };
  }
}
