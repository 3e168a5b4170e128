import type { Child, Children } from './children.js';
import type { Random } from './prng.js';
import { startGateway, type GatewaySetup } from './services.js';

interface Slot {
  readonly name: string;
  child: Child | null;
  base: string | null;
  /** Set while we kill it on purpose: its exit is then no news. */
  killing: boolean;
  /** Set while it is being started. */
  starting: boolean;
}

/** A gateway that ended without being told to. */
export interface Crash {
  readonly gateway: string;
  readonly how: string;
  readonly at: string;
}

/**
 * The run's gateway processes (`firmbank start`), sharing one database and one Redis. The chaos kills
 * them with SIGKILL and starts them again; one that exits by itself is a crash: recorded, then started
 * again as a supervisor would.
 */
export class GatewayFleet {
  private readonly slots: Slot[];
  readonly crashes: Crash[] = [];
  private closing = false;

  constructor(
    private readonly children: Children,
    private readonly root: string,
    private readonly setup: GatewaySetup,
    count: number,
    /** True once the gateways' Redis answers: a gateway is not started without it, as it would only exit. */
    private readonly redisUp: () => Promise<boolean>,
  ) {
    this.slots = Array.from({ length: count }, (_, i) => ({ name: `gateway-${i + 1}`, child: null, base: null, killing: false, starting: false }));
  }

  async startAll(): Promise<void> {
    await Promise.all(this.slots.map((s) => this.start(s)));
  }

  /** Base URLs of the gateways running now. */
  bases(): string[] {
    return this.slots.flatMap((s) => (s.base ? [s.base] : []));
  }

  /** One running gateway's base URL, chosen by `random`; waits while none runs. */
  async pick(random: Random, signal: AbortSignal): Promise<string | null> {
    for (;;) {
      const live = this.bases();
      if (live.length > 0) return random.pick(live);
      if (signal.aborted) return null;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /**
   * SIGKILLs one running gateway, chosen by `random`; returns its slot for {@link restart}. Null (nothing
   * killed) while one is still being started again: with two gateways one of them always serves.
   */
  async kill(random: Random): Promise<number | null> {
    const live = this.slots.filter((s) => s.child && !s.killing);
    if (live.length === 0 || (this.slots.length > 1 && this.slots.some((s) => s.starting))) return null;
    const slot = random.pick(live);
    slot.killing = true;
    slot.base = null;
    if (slot.child) await this.children.stop(slot.child, 'SIGKILL');
    slot.child = null;
    slot.killing = false;
    return this.slots.indexOf(slot);
  }

  /** Starts a killed gateway again (unless something else already did). */
  async restart(slot: number): Promise<void> {
    const s = this.slots[slot]!;
    if (!s.child && !s.starting) await this.start(s);
  }

  /** Starts every gateway that is not running (before the settle phase). */
  async ensureAll(): Promise<void> {
    await Promise.all(this.slots.filter((s) => !s.child && !s.starting).map((s) => this.start(s)));
  }

  /** No more restarts: the run is ending. */
  close(): void {
    this.closing = true;
  }

  private async start(slot: Slot): Promise<void> {
    slot.starting = true;
    try {
      await this.startOnce(slot);
    } finally {
      slot.starting = false;
    }
  }

  private async startOnce(slot: Slot): Promise<void> {
    let last: unknown;
    // A start can fail on a busy machine (its Redis just restarting, a slow migration check): try again.
    for (let attempt = 0; attempt < 5 && !this.closing; attempt++) {
      // As a supervisor with a dependency would: wait for Redis (the chaos may have just killed it).
      for (let i = 0; i < 300 && !this.closing && !(await this.redisUp()); i++) await new Promise((r) => setTimeout(r, 100));
      try {
        const { child, base } = await startGateway(this.children, this.root, this.setup, slot.name);
        slot.child = child;
        slot.base = base;
        void child.exited.then((how) => this.exited(slot, child, how));
        return;
      } catch (e) {
        last = e;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    if (!this.closing) throw new Error(`${slot.name} does not start: ${String((last as Error)?.message ?? last)}`);
  }

  private exited(slot: Slot, child: Child, how: string): void {
    if (slot.child !== child || slot.killing || this.closing) return;
    this.crashes.push({ gateway: slot.name, how, at: new Date().toISOString() });
    slot.child = null;
    slot.base = null;
    if (!slot.starting) void this.start(slot).catch(() => {}); // one that cannot start again is started before the settle phase
  }
}
