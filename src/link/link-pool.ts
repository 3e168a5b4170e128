import type { FieldInput } from '../codec/values.js';
import { BankLink, type BankLinkOptions, type RequestOptions } from './bank-link.js';
import type { LinkOutcome } from './exchange.js';

/**
 * Several connections to one institution (when the bank allows more than one session), sharing one
 * sequence source. Requests go round-robin over the ready connections.
 */
export class LinkPool {
  readonly links: readonly BankLink[];
  private next = 0;

  constructor(options: BankLinkOptions, connections: number) {
    if (!Number.isInteger(connections) || connections < 1) throw new RangeError(`connections must be a positive integer, not ${connections}`);
    this.links = Array.from({ length: connections }, () => new BankLink(options));
  }

  start(): this {
    for (const l of this.links) l.start();
    return this;
  }

  /** True once any connection is ready (false if none is by the timeout). */
  async ready(timeoutMs?: number): Promise<boolean> {
    if (this.links.some((l) => l.isReady)) return true;
    return new Promise((resolve) => {
      let pending = this.links.length;
      for (const l of this.links) {
        void l.ready(timeoutMs).then((ok) => {
          if (ok) resolve(true);
          else if (--pending === 0) resolve(false);
        });
      }
    });
  }

  /** Sends on the next ready connection; waits for one (up to the request's timeout) if none is. */
  async request(message: string, fields: Readonly<Record<string, FieldInput>> = {}, options: RequestOptions = {}): Promise<LinkOutcome> {
    for (let i = 0; i < this.links.length; i++) {
      const link = this.links[(this.next + i) % this.links.length]!;
      if (link.isReady) {
        this.next = (this.next + i + 1) % this.links.length;
        return link.request(message, fields, options);
      }
    }
    const link = this.links[this.next++ % this.links.length]!;
    return link.request(message, fields, options);
  }

  async close(): Promise<void> {
    await Promise.all(this.links.map((l) => l.close()));
  }
}
