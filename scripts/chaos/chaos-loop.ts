import { sleep } from './callers.js';
import type { GatewayFleet } from './fleet.js';
import { Random } from './prng.js';
import type { PrivateRedis } from './services.js';
import type { SimControl } from './sim-control.js';

/** The requests faults are armed for: the transfer itself and the inquiry that settles an unknown one. */
export const FAULT_MESSAGES = ['transfer.request', 'resultInquiry.request'] as const;

/** What the chaos did, for the summary (and to tell a reversed transfer the bank never told us about). */
export interface ChaosCounts {
  /** Faults armed, by kind, then by message (each arming counts the requests it hits). */
  readonly faults: Record<string, Record<string, number>>;
  latency: number;
  refusals: number;
  drops: number;
  clears: number;
  gatewayKills: number;
  redisKills: number;
  notices: { sent: number; refused: number; unacknowledged: number };
  /** Failure notices the bank sent that no gateway acknowledged (`date|seqNo`): the bank's books changed anyway. */
  readonly unacknowledgedNotices: Set<string>;
}

/** How often each action comes, as weights (they need not add up to anything). */
const ACTIONS = {
  fault: 44,
  latency: 7,
  refuse: 5,
  drop: 8,
  clear: 3,
  'kill-gateway': 10,
  'kill-redis': 6,
  'failure-notice': 9,
};

type Action = keyof typeof ACTIONS;

/**
 * The chaos: at random intervals, one action at a time, each drawn from the run's seed — faults of every
 * kind the simulator knows armed on transfers and result inquiries, latency, refused and dropped
 * connections, gateways and Redis killed with SIGKILL and started again, failure notices for transfers
 * the bank applied. Actions start one at a time, so that (for instance) a notice is never pushed while a
 * gateway is being killed by us; what an action undoes later (a restart, the end of a refusal) runs in
 * the background while the next actions go on.
 */
export class ChaosLoop {
  readonly counts: ChaosCounts;
  private readonly noticed = new Set<string>();
  /** Restarts and resets under way; the run waits for them before it settles. */
  private readonly pending = new Set<Promise<void>>();
  private failure: unknown = null;
  /** When Redis last came back from a kill (ms since the epoch). */
  private redisBackAt = 0;

  constructor(
    private readonly random: Random,
    private readonly sim: SimControl,
    private readonly fleet: GatewayFleet,
    private readonly redis: PrivateRedis,
    private readonly faultKinds: readonly string[],
  ) {
    this.counts = {
      faults: Object.fromEntries(faultKinds.map((k) => [k, {}])),
      latency: 0,
      refusals: 0,
      drops: 0,
      clears: 0,
      gatewayKills: 0,
      redisKills: 0,
      notices: { sent: 0, refused: 0, unacknowledged: 0 },
      unacknowledgedNotices: new Set(),
    };
  }

  /**
   * Acts until `signal` aborts, then waits for what is under way (every killed process is running again);
   * rejects if an action could not be carried out (the simulator's control API failed, a process does not
   * start again).
   */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted && this.failure === null) {
      // Three draws per action, whatever it meets: the seed fixes the sequence of actions and their
      // parameters; only what they find (which gateway runs, what the bank applied) depends on timing.
      const action = this.random.weighted(ACTIONS);
      const own = new Random(Math.floor(this.random.next() * 2 ** 32));
      const pause = this.random.int(100, 600);
      await this.act(action, own);
      await sleep(pause, signal);
    }
    while (this.pending.size > 0) await Promise.all([...this.pending]);
    if (this.failure !== null) throw this.failure;
  }

  /** Runs `work` in the background, after `delayMs`. */
  private later(delayMs: number, work: () => Promise<void>): void {
    const p = sleep(delayMs)
      .then(work)
      .catch((e: unknown) => void (this.failure ??= e))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  private async act(action: Action, r: Random): Promise<void> {
    switch (action) {
      case 'fault': {
        const message = r.chance(0.65) ? FAULT_MESSAGES[0] : FAULT_MESSAGES[1];
        const kind = r.pick(this.faultKinds);
        const count = r.int(1, 3);
        await this.sim.must('/faults', { kind, message, count });
        const byMessage = this.counts.faults[kind]!;
        byMessage[message] = (byMessage[message] ?? 0) + count;
        return;
      }
      case 'latency': {
        // Some below the gateway's 1 s request timeout, some past it (every answer then comes too late).
        await this.sim.must('/latency', { ms: r.pick([100, 300, 700, 1_200]) });
        this.counts.latency++;
        this.later(r.int(300, 2_000), () => this.sim.must('/latency', { ms: 0 }));
        return;
      }
      case 'refuse': {
        await this.sim.must('/refuse', { on: true });
        await this.sim.must('/drop');
        this.counts.refusals++;
        this.later(r.int(300, 2_500), () => this.sim.must('/refuse', { on: false }));
        return;
      }
      case 'drop':
        await this.sim.must('/drop');
        this.counts.drops++;
        return;
      case 'clear':
        await this.sim.must('/clear');
        this.counts.clears++;
        return;
      case 'kill-gateway': {
        const slot = await this.fleet.kill(r);
        if (slot === null) return; // none to kill just now (see GatewayFleet.kill)
        this.counts.gatewayKills++;
        this.later(r.int(0, 1_000), () => this.fleet.restart(slot));
        return;
      }
      case 'kill-redis': {
        // Not while it is down from the last kill, nor right after it came back: outages, not a flapping Redis.
        if (!this.redis.child || Date.now() - this.redisBackAt < 3_000) return;
        await this.redis.kill();
        this.counts.redisKills++;
        this.later(r.int(100, 1_500), async () => {
          await this.redis.start();
          this.redisBackAt = Date.now();
        });
        return;
      }
      case 'failure-notice':
        return this.failureNotice(r);
    }
  }

  /** 타행이체불능통지 for a transfer the bank applied: the bank reverses it and tells us. */
  private async failureNotice(r: Random): Promise<void> {
    const books = await this.sim.books();
    const applied = books.transfers.filter((t) => t.state === 'applied' && !this.noticed.has(`${t.date}|${t.seqNo}`));
    if (applied.length === 0) return;
    // Mostly transfers to other banks, as real failure notices are; now and then one to our own bank.
    const other = applied.filter((t) => t.depositBankCode !== '004');
    const t = r.pick(other.length > 0 && r.chance(0.9) ? other : applied);
    const key = `${t.date}|${t.seqNo}`;
    this.noticed.add(key);
    const answer = await this.sim.post('/notices/failure', { date: t.date, seqNo: t.seqNo });
    if (answer.status === 200) this.counts.notices.sent++;
    else if (/no reply/.test(String(answer.body['error']))) {
      // Sent, the books changed, but no gateway acknowledged it in time (a real bank would send it again).
      this.counts.notices.unacknowledged++;
      this.counts.unacknowledgedNotices.add(key);
    } else this.counts.notices.refused++; // no open session: nothing changed at the bank
  }
}
