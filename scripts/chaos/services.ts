import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer, createConnection } from 'node:net';
import { join } from 'node:path';
import type { Child, Children } from './children.js';

const BIN = (root: string) => join(root, 'bin/firmbank.js');

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** True when a Redis answers PING on the port. */
export function redisAnswers(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('error', () => done(false));
    s.once('connect', () => {
      s.write('PING\r\n');
      s.once('data', (d) => done(d.toString().startsWith('+PONG')));
    });
  });
}

/**
 * The run's own Redis in a process of its own, without persistence: killing it loses every queued job,
 * as a Redis that dies without a disk would. Restarts on the same port, so gateways reconnect to it.
 */
export class PrivateRedis {
  child: Child | null = null;

  constructor(
    private readonly children: Children,
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir];
    this.child = (await this.children.start('redis', 'redis-server', args, process.env, /Ready to accept connections/)).child;
    for (let i = 0; i < 50 && !(await redisAnswers(this.port)); i++) await new Promise((r) => setTimeout(r, 100));
  }

  async kill(): Promise<void> {
    if (this.child) await this.children.stop(this.child, 'SIGKILL');
    this.child = null;
  }
}

/** The bank simulator (`firmbank sim`) in its own process, with its control API. */
export async function startSimulator(children: Children, root: string, token: string): Promise<{ child: Child; port: number; control: string }> {
  const args = [BIN(root), 'sim', '--spec', join(root, 'specs/hecto.yaml'), '--port', '0', '--control-port', '0', '--control-token', token];
  const { child, match } = await children.start('sim', process.execPath, args, process.env, /listening on 127\.0\.0\.1:(\d+)[\s\S]*control API on (http:\/\/127\.0\.0\.1:\d+)/);
  return { child, port: Number(match[1]), control: match[2]! };
}

/**
 * The gateways' webhook deadline: short, so that the receiver's slow answers (held past it) cost the run
 * seconds, not the default 10 s each.
 */
export const WEBHOOK_TIMEOUT_MS = 2_000;

/** Settings every gateway of the run shares: the configuration file and the environment. */
export interface GatewaySetup {
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Writes the gateways' configuration: Hecto against the simulator's port, short timeouts so that unknown
 * outcomes are asked about within the run, a quick sweep, and no private Redis of their own (a gateway
 * that found ours dead would otherwise start one on its port and keep it). Webhooks may go to 127.0.0.1
 * (the run's receiver), and every gateway process gets the same `FIRMBANK_SECRET_KEY`: an endpoint secret
 * sealed by one must open in the others, as a production deployment sets it.
 */
export function gatewaySetup(dir: string, simPort: number, databaseUrl: string, redisUrl: string, queuePrefix: string, inquiryMaxAttempts: number): GatewaySetup {
  const config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    [
      'sweepMs: 500',
      'maxWaitMs: 5000',
      'startRedis: false',
      'institutions:',
      '  - id: hecto',
      '    simulator: false',
      '    host: 127.0.0.1',
      `    port: ${simPort}`,
      '    bankCode: "004"',
      '    companyId: FIRMBANK01',
      '    withdrawAccount: "12345678901234"',
      '    connections: 2',
      '    requestTimeoutMs: 1000',
      '    inquiryDelayMs: 200',
      `    inquiryMaxAttempts: ${inquiryMaxAttempts}`,
      '    enforceHours: false',
      'webhooks:',
      '  allowPrivate: true',
      `  timeoutMs: ${WEBHOOK_TIMEOUT_MS}`,
      '',
    ].join('\n'),
  );
  return {
    env: { ...process.env, FIRMBANK_CONFIG: config, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, PORT: '0', HOST: '127.0.0.1', FIRMBANK_DATA_DIR: dir, FIRMBANK_QUEUE_PREFIX: queuePrefix, FIRMBANK_SECRET_KEY: randomBytes(32).toString('base64') },
  };
}

/** `firmbank apikey create chaos` against the run's database: prints the key once, which we keep in memory only. */
export async function createApiKey(children: Children, root: string, databaseUrl: string): Promise<string> {
  const env = { ...process.env, DATABASE_URL: databaseUrl };
  const { child, match } = await children.start('apikey', process.execPath, [BIN(root), 'apikey', 'create', 'chaos', '--max-amount', '100000000'], env, /^(fbk_[A-Za-z0-9_-]{32})$/m, { secretOutput: true });
  const how = await child.exited;
  if (how !== '0') throw new Error(`firmbank apikey create exited ${how}`);
  return match[1]!;
}

/** One `firmbank start` process; resolves with its API's base URL once it listens. */
export async function startGateway(children: Children, root: string, setup: GatewaySetup, name: string): Promise<{ child: Child; base: string }> {
  const { child, match } = await children.start(name, process.execPath, [BIN(root), 'start'], setup.env, /listening on (http:\/\/127\.0\.0\.1:\d+)/, { timeoutMs: 60_000 });
  return { child, base: match[1]! };
}
