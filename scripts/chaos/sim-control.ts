/** A transfer as the simulated bank's books show it (GET /ledger). */
export interface BankTransfer {
  readonly date: string;
  readonly seqNo: string;
  readonly withdrawAccount: string;
  readonly depositBankCode: string;
  readonly depositAccount: string;
  readonly amount: string;
  readonly fee: string;
  readonly code: string;
  readonly state: 'applied' | 'rejected' | 'reversed';
}

export interface BankBooks {
  readonly accounts: readonly { account: string; balance: string }[];
  readonly transfers: readonly BankTransfer[];
}

/** The simulator's control API (`firmbank sim --control-port`), behind its bearer token. */
export class SimControl {
  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {}

  /** POSTs a command; resolves with the HTTP status and the JSON answer (errors are answers too). */
  async post(path: string, body: Record<string, unknown> = {}): Promise<{ status: number; body: Record<string, unknown> }> {
    const r = await fetch(this.base + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(15_000),
    });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  }

  /** Like {@link post}, for commands that must work: anything but 200 is an error of the run itself. */
  async must(path: string, body: Record<string, unknown> = {}): Promise<void> {
    const r = await this.post(path, body);
    if (r.status !== 200) throw new Error(`simulator ${path} ${JSON.stringify(body)}: ${r.status} ${JSON.stringify(r.body)}`);
  }

  async books(): Promise<BankBooks> {
    const r = await fetch(this.base + '/ledger', { headers: { authorization: `Bearer ${this.token}` }, signal: AbortSignal.timeout(30_000) });
    if (r.status !== 200) throw new Error(`simulator /ledger: ${r.status}`);
    return (await r.json()) as BankBooks;
  }
}
