import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../log/logger.js';
import { redisAddress } from './redis-url.js';

/** A publish that Redis has not answered by then is given up: the switch is set, polling carries it. */
const PUBLISH_TIMEOUT_MS = 1_000;

/**
 * What a subscriber hears: the switches' version a process just wrote, or null when its connection came
 * back after a break, during which anything may have been missed. Either way: look at the database.
 */
export type SwitchSignal = (version: number | null) => void;

/**
 * Tells every gateway process that the switches changed, over Redis pub/sub on `<queuePrefix>:switches`.
 * A message carries only the switches' version; the database stays the one source of the switches, so
 * a message lost (pub/sub keeps nothing for a process that is not listening) costs time, not
 * correctness: every process polls too (src/switches/switchboard.ts).
 *
 * Two connections, each made on first use: a subscribed connection can issue no other command. Both
 * reconnect on their own for as long as this lives; a connection that fails is logged once, as one line,
 * when it fails and once when it is back, never once per retry.
 */
export class SwitchBroadcast {
  readonly channel: string;
  private readonly options: RedisOptions;
  private publisher: Redis | null = null;
  private subscriber: Redis | null = null;
  private readonly listeners: SwitchSignal[] = [];
  private closing = false;

  /** @param redisUrl `redis://…` (see src/queue/redis-url.ts). */
  constructor(
    redisUrl: string,
    queuePrefix: string,
    private readonly logger: Logger,
  ) {
    this.channel = `${queuePrefix}:switches`;
    const a = redisAddress(redisUrl);
    this.options = {
      host: a.host,
      port: a.port,
      ...(a.username !== undefined ? { username: a.username } : {}),
      ...(a.password !== undefined ? { password: a.password } : {}),
      ...(a.db ? { db: a.db } : {}),
    };
  }

  /**
   * Tells the other processes that the switches are at `version` now.
   *
   * @throws Error when Redis does not take it within a second (unreachable, refusing): the caller logs
   *   it; the others still find the change when they next poll.
   */
  async publish(version: number): Promise<void> {
    if (this.closing) throw new Error('the switch broadcast is closed');
    // One retry at most: a queued publish that goes out late does no harm, one that waits forever does.
    this.publisher ??= this.connect('publisher', { maxRetriesPerRequest: 1 });
    const sent = this.publisher.publish(this.channel, String(version));
    sent.catch(() => {}); // its failure is reported below, or no longer waited for
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis did not take the message within ${PUBLISH_TIMEOUT_MS} ms`)), PUBLISH_TIMEOUT_MS);
    });
    try {
      await Promise.race([sent, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Calls `listener` for every message on the channel, and with null when the subscription is back after
   * a break. Resolves once subscribed, or as soon as Redis turns out unreachable: it keeps trying in the
   * background and subscribes when it can, so a process starts, and runs on polling, without Redis.
   */
  async subscribe(listener: SwitchSignal): Promise<void> {
    if (this.closing) throw new Error('the switch broadcast is closed');
    this.listeners.push(listener);
    if (this.subscriber) return;
    // Never give up a command: the SUBSCRIBE waits in the offline queue until there is a connection.
    const sub = this.connect('subscriber', { maxRetriesPerRequest: null }, () => this.signal(null));
    this.subscriber = sub;
    sub.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      const version = Number(message);
      this.signal(Number.isSafeInteger(version) ? version : null);
    });
    await new Promise<void>((resolve) => {
      sub.once('error', () => resolve());
      sub.subscribe(this.channel).then(
        () => resolve(),
        (e: unknown) => {
          this.logger.warn('switch broadcast not subscribed', { channel: this.channel, reason: reasonOf(e) });
          resolve();
        },
      );
    });
  }

  /** Closes both connections at once (nothing is left to flush: a publish waits for its answer). */
  async close(): Promise<void> {
    this.closing = true;
    for (const r of [this.publisher, this.subscriber]) r?.disconnect();
    this.publisher = null;
    this.subscriber = null;
    this.listeners.length = 0;
  }

  private signal(version: number | null): void {
    for (const listener of this.listeners) {
      try {
        listener(version);
      } catch (e) {
        this.logger.error('switch broadcast listener failed', { channel: this.channel, reason: reasonOf(e) });
      }
    }
  }

  /**
   * A connection that reconnects quietly: one line when it is lost (with the first error's reason), one
   * when it is back, and then `back()`.
   */
  private connect(role: 'publisher' | 'subscriber', extra: RedisOptions, back: () => void = () => {}): Redis {
    const redis = new Redis({ ...this.options, ...extra });
    let lost = false;
    const lose = (reason: string) => {
      if (lost || this.closing) return;
      lost = true;
      this.logger.warn('switch broadcast unavailable', { channel: this.channel, connection: role, reason });
    };
    // Without a listener ioredis prints every failed attempt, with its stack, to the console.
    redis.on('error', (e: unknown) => lose(reasonOf(e)));
    redis.on('close', () => lose('connection closed'));
    redis.on('ready', () => {
      if (!lost) return;
      lost = false;
      this.logger.info('switch broadcast restored', { channel: this.channel, connection: role });
      back();
    });
    return redis;
  }
}

/** An error as one short line: its code when it has one (ECONNREFUSED), else its first line. */
function reasonOf(e: unknown): string {
  const err = e as { code?: unknown; message?: unknown };
  const message = typeof err.message === 'string' ? err.message.split('\n')[0]! : String(e);
  return typeof err.code === 'string' && !message.includes(err.code) ? `${err.code}: ${message}` : message;
}
