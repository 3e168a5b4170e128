import { effectiveSwitch, switchKey, type EffectiveSwitch, type SwitchFlow, type SwitchName, type SwitchSetting, type SwitchState } from '../domain/switches.js';
import type { Logger } from '../log/logger.js';

/** What the board needs of the switches' storage: SwitchStore (src/ledger/switch-store.ts). */
export interface SwitchStorage {
  list(): Promise<SwitchSetting[]>;
  /** The highest version of any switch: it moves with every set of any switch. */
  version(): Promise<number>;
  set(name: SwitchName, state: SwitchState, by: string, reason: string, expectedVersion?: number): Promise<SwitchSetting>;
}

/** What the board needs of the broadcast between processes: SwitchBroadcast (src/queue/switch-broadcast.ts). */
export interface SwitchSignals {
  publish(version: number): Promise<void>;
  /** `listener` hears each version published, and null after a break in which messages may have been lost. */
  subscribe(listener: (version: number | null) => void): Promise<void>;
  close(): Promise<void>;
}

/** Told that a switch changed state: from and to as that switch itself is set, not as any flow ends up. */
export type SwitchChangeListener = (name: SwitchName, from: SwitchState, to: SwitchState) => void | Promise<void>;

export interface SwitchboardOptions {
  /** How often the database is looked at, broadcast or not: the longest a missed broadcast goes unseen. */
  readonly pollMs?: number;
}

/** The switches as this process last read them. */
interface Snapshot {
  /** By {@link switchKey}. */
  readonly settings: ReadonlyMap<string, SwitchSetting>;
  /** Every change up to this version is in `settings` (see {@link Switchboard.applyLocally}). */
  readonly version: number;
}

/** Effective states remembered per snapshot, at most: institutions × flows, unless callers pass anything. */
const MEMO_LIMIT = 4_096;

/**
 * The runtime switches as this process sees them, for flows to ask on every request.
 *
 * The database is the one source of the switches. A change made anywhere is broadcast, and every process
 * reads the switches again when it hears one (in well under a second); each also looks at the database
 * every `pollMs`, comparing one number (the switches' version), so that a process that missed a broadcast
 * (Redis away, its subscription broken, a change written straight to the database) still comes round.
 *
 * Reads and local changes of the snapshot are applied one at a time, in order, so a read that started
 * before a change this process made cannot put the older switches back after it.
 */
export class Switchboard {
  private readonly pollMs: number;
  private snapshot: Snapshot | null = null;
  private readonly effective = new Map<string, EffectiveSwitch>();
  private readonly listeners = new Set<SwitchChangeListener>();
  private timer: NodeJS.Timeout | null = null;
  /** The snapshot's readers and writers, one after another. */
  private chain: Promise<void> = Promise.resolve();
  /** A read waiting its turn: further calls join it rather than queue another. */
  private pending: { force: boolean; done: Promise<void> } | null = null;
  /** Reads failed in a row (logged once, at the first). */
  private failures = 0;
  private closed = false;

  /**
   * @param signals the broadcast, which the board subscribes to and closes with itself; null to run on
   *   polling alone (a tool that only sets a switch, or a process without Redis).
   */
  constructor(
    private readonly store: SwitchStorage,
    private readonly signals: SwitchSignals | null,
    private readonly logger: Logger,
    options: SwitchboardOptions = {},
  ) {
    this.pollMs = options.pollMs !== undefined && options.pollMs > 0 ? options.pollMs : 5_000;
  }

  /**
   * Reads every switch, subscribes to the broadcast and starts polling. Throws when the switches cannot
   * be read: a process must not start on a guess. Redis that cannot be reached does not hold it up (see
   * SwitchBroadcast.subscribe). No listener is called for the switches as first read.
   */
  async start(): Promise<void> {
    const settings = await this.store.list();
    this.install({ settings: byKey(settings), version: highestVersion(settings) }, false);
    await this.signals?.subscribe((version) => this.heard(version));
    this.timer = setInterval(() => void this.reload(false), this.pollMs);
    this.timer.unref(); // the board never keeps a process alive by itself
    // A change made between the first read and the subscription was neither read nor heard.
    await this.reload(false);
  }

  /**
   * The state of `flow` for `institution` and the switch that decided it (for the 503), from what this
   * process last read: no I/O, and remembered until the switches change.
   *
   * @throws Error before {@link start}: there is nothing to answer from yet.
   */
  state(institution: string, flow: SwitchFlow): EffectiveSwitch {
    if (!this.snapshot) throw new Error('Switchboard.state() called before start()');
    const key = `${institution}/${flow}`;
    let found = this.effective.get(key);
    if (!found) {
      found = effectiveSwitch(this.snapshot.settings.values(), institution, flow);
      if (this.effective.size < MEMO_LIMIT) this.effective.set(key, found);
    }
    return found;
  }

  /**
   * Sets a switch (SwitchStore.set: validated, versioned, audited), applies it here at once, then tells
   * the other processes. A broadcast that fails is logged, not thrown: the switch is set, and the others
   * find it when they next poll.
   */
  async set(name: SwitchName, state: SwitchState, by: string, reason: string, expectedVersion?: number): Promise<SwitchSetting> {
    const setting = await this.store.set(name, state, by, reason, expectedVersion);
    await this.serially(async () => this.applyLocally(setting));
    if (this.signals && !this.closed) {
      try {
        await this.signals.publish(setting.version);
      } catch (e) {
        this.logger.warn('switch change not broadcast', { switch: switchKey(setting), version: setting.version, pollMs: this.pollMs, reason: reasonOf(e) });
      }
    }
    return setting;
  }

  /**
   * Calls `listener` whenever a switch's own state changes, whether set here or found by a read (so in
   * every process, each once). The switch alone changed: a switch back on may leave the flow held by a
   * broader one, so ask {@link state} before acting. Returns the function that stops the calls.
   */
  onChange(listener: SwitchChangeListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Every switch ever set (the others are on), by scope then flow, as this process last read them. */
  list(): SwitchSetting[] {
    return [...(this.snapshot?.settings.values() ?? [])].sort((a, b) => compare(a.scope, b.scope) || compare(a.flow, b.flow));
  }

  /** The switches' version this process has everything up to (0 before the first set, or before start). */
  get version(): number {
    return this.snapshot?.version ?? 0;
  }

  /** Reads the switches again now, whatever the version says; resolves once done (never rejects). */
  refresh(): Promise<void> {
    return this.reload(true);
  }

  /** Stops polling and closes the broadcast; waits for a read under way. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.signals?.close();
    await this.chain;
  }

  /** A broadcast: read again, unless this process already has that version (its own set, most often). */
  private heard(version: number | null): void {
    if (version !== null && this.snapshot && version <= this.snapshot.version) return;
    void this.reload(true);
  }

  /**
   * Reads the switches in turn: all of them when `force`, else only when their version is not the one this
   * process has. Never rejects: a failed read keeps the last snapshot (and is logged) — it runs from timers
   * and broadcasts, where nobody could catch it.
   */
  private reload(force: boolean): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.pending) {
      this.pending.force ||= force;
      return this.pending.done;
    }
    const job = { force, done: Promise.resolve() };
    job.done = this.serially(async () => {
      this.pending = null; // from here on a new call must read again: this read may be too early for it
      await this.read(job.force);
    });
    this.pending = job;
    return job.done;
  }

  private async read(force: boolean): Promise<void> {
    if (this.closed) return;
    try {
      if (!force && this.snapshot && (await this.store.version()) === this.snapshot.version) return this.recovered();
      const settings = await this.store.list();
      this.recovered();
      if (!this.closed) this.install({ settings: byKey(settings), version: highestVersion(settings) }, true);
    } catch (e) {
      if (this.failures++ === 0) this.logger.warn('switches not read; keeping the last ones', { version: this.version, reason: reasonOf(e) });
    }
  }

  private recovered(): void {
    if (this.failures > 0) this.logger.info('switches read again', { failedReads: this.failures, version: this.version });
    this.failures = 0;
  }

  /**
   * A switch this process has just set, into the snapshot without waiting for a read. A read that already
   * brought it, or a later set of it, is not undone. The snapshot's version moves only when this set is
   * the very next one: otherwise another process's set came in between, unread, and the version left
   * behind makes the next poll read everything.
   */
  private applyLocally(setting: SwitchSetting): void {
    const snap = this.snapshot;
    if (!snap || this.closed) return;
    const key = switchKey(setting);
    const known = snap.settings.get(key);
    if (known && known.version >= setting.version) return;
    const settings = new Map(snap.settings).set(key, setting);
    this.install({ settings, version: setting.version === snap.version + 1 ? setting.version : snap.version }, true);
  }

  /** Makes `next` the snapshot and, when `notify`, tells the listeners of every switch whose state changed. */
  private install(next: Snapshot, notify: boolean): void {
    const previous = this.snapshot;
    this.snapshot = next;
    this.effective.clear();
    if (!notify || !previous) return;
    for (const [key, s] of next.settings) {
      const from = previous.settings.get(key)?.state ?? 'on';
      if (from !== s.state) this.tell(s, from, s.state);
    }
    // A switch without a row is on: only a database put back from a backup loses rows.
    for (const [key, s] of previous.settings) if (!next.settings.has(key) && s.state !== 'on') this.tell(s, s.state, 'on');
  }

  private tell(name: SwitchName, from: SwitchState, to: SwitchState): void {
    const plain = { scope: name.scope, flow: name.flow };
    const failed = (e: unknown) => this.logger.error('switch change listener failed', { switch: switchKey(plain), from, to, reason: reasonOf(e) });
    for (const listener of this.listeners) {
      try {
        void Promise.resolve(listener(plain, from, to)).catch(failed);
      } catch (e) {
        failed(e);
      }
    }
  }

  /** Runs `fn` after everything queued before it; the chain goes on whether it fails or not. */
  private serially(fn: () => Promise<void>): Promise<void> {
    const run = this.chain.then(fn);
    this.chain = run.catch(() => {});
    return run;
  }
}

function byKey(settings: readonly SwitchSetting[]): Map<string, SwitchSetting> {
  return new Map(settings.map((s) => [switchKey(s), s]));
}

/** The version a full read is at: versions are one sequence over all switches (see SwitchStore). */
function highestVersion(settings: readonly SwitchSetting[]): number {
  return settings.reduce((top, s) => Math.max(top, s.version), 0);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function reasonOf(e: unknown): string {
  const message = (e as { message?: unknown })?.message;
  return typeof message === 'string' ? message.split('\n')[0]! : String(e);
}
