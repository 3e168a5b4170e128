import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { maskUrl } from '../src/config/mask-url.js';
import { makePrivateDir } from '../src/files/private-files.js';
import { isFirmbankError, type FirmbankError } from '../src/errors/firmbank-error.js';
import { openDatabase } from '../src/ledger/data-source.js';
import { FileSequenceSource } from '../src/link/file-sequence-source.js';
import { startPrivateRedis } from '../src/queue/private-redis.js';
import { ensureRedis } from '../src/queue/redis.js';
import { redisConnection } from '../src/queue/transfer-queue.js';
import { PG_ADMIN } from './helpers/gateway.js';
import { answers, ensureBuilt, freePort, mode, processesMentioning, runStart, spawnStart, startRedisServer, waitListening, withUmask } from './helpers/startup.js';

const tmp = (prefix: string) => mkdtempSync(join(tmpdir(), `firmbank-${prefix}-`));

/** The FirmbankError `fn` throws (or its promise rejects with), to look at its code and message. */
async function failure(fn: () => unknown): Promise<FirmbankError & { setting?: string }> {
  try {
    await fn();
  } catch (e) {
    if (isFirmbankError(e)) return e;
    throw e;
  }
  throw new Error('expected a FirmbankError, nothing was thrown');
}

describe('maskUrl', () => {
  it('hides the password of a URL, and only that', () => {
    expect(maskUrl('postgres://firmbank:hunter2@db:5432/ledger')).toBe('postgres://firmbank:***@db:5432/ledger');
    expect(maskUrl('redis://:secret@127.0.0.1:6380')).toBe('redis://:***@127.0.0.1:6380');
    expect(maskUrl('redis://alice:s3cret@redis/2')).toBe('redis://alice:***@redis/2');
    expect(maskUrl('postgres://postgres@127.0.0.1:5432/test')).toBe('postgres://postgres@127.0.0.1:5432/test');
    expect(maskUrl('postgres://u@h/db?sslmode=require&password=hunter2')).toBe('postgres://u@h/db?sslmode=require&password=***');
    expect(maskUrl('/var/lib/firmbank/ledger.sqlite')).toBe('/var/lib/firmbank/ledger.sqlite');
  });

  it('property: no password, however written (encoded or not, with @ / : ? #), survives', () => {
    const password = fc.string({ unit: fc.constantFrom(...'aZ9@/:?#%!* -_.'.split('')), minLength: 1, maxLength: 24 });
    fc.assert(
      fc.property(password, fc.constantFrom('postgres', 'postgresql', 'redis'), fc.boolean(), (pw, scheme, encode) => {
        const written = encode ? encodeURIComponent(pw) : pw;
        expect(maskUrl(`${scheme}://app:${written}@db.internal:5432/ledger`)).toBe(`${scheme}://app:***@db.internal:5432/ledger`);
      }),
      { numRuns: 300 },
    );
  });
});

describe('configuration gaps', () => {
  let dir: string;
  const file = (text: string) => {
    const f = join(dir, `c-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(f, text);
    return f;
  };
  beforeAll(() => (dir = tmp('conf')));

  it('refuses a DATABASE_URL of another database instead of making a SQLite file of it, naming where it came from, masked', async () => {
    const env = await failure(() => loadConfig({ DATABASE_URL: 'mysql://root:hunter2@db:3306/ledger' }));
    expect(env).toMatchObject({ code: 'FB_CONFIG_INVALID', setting: 'DATABASE_URL' });
    expect(env.message).toBe('configuration DATABASE_URL: "mysql://root:***@db:3306/ledger" is not supported: use postgres://user@host:5432/db for PostgreSQL, or a file path (no scheme) for SQLite');
    const fromFile = await failure(() => loadConfig({ FIRMBANK_CONFIG: file('databaseUrl: "sqlite:./ledger.db"\n') }));
    expect(fromFile).toMatchObject({ code: 'FB_CONFIG_INVALID', setting: 'databaseUrl' });
    expect((await failure(() => loadConfig({ DATABASE_URL: 'file:ledger.db' }))).setting).toBe('DATABASE_URL');
    expect((await failure(() => loadConfig({ DATABASE_URL: '' }))).message).toMatch(/^configuration DATABASE_URL: must be a non-empty string/);
    // What stays accepted: PostgreSQL URLs (any case) and plain paths.
    expect(loadConfig({ DATABASE_URL: 'POSTGRESQL://u@h/db' }).databaseUrl).toBe('POSTGRESQL://u@h/db');
    expect(loadConfig({ DATABASE_URL: '/srv/firmbank/ledger.sqlite' }).databaseUrl).toBe('/srv/firmbank/ledger.sqlite');
    expect(loadConfig({ DATABASE_URL: ':memory:' }).databaseUrl).toBe(':memory:');
    await expect(openDatabase({ url: 'mysql://root:hunter2@db/x' })).rejects.toThrowError(/^configuration DATABASE_URL: "mysql:\/\/root:\*\*\*@db\/x"/);
  });

  it('refuses Redis URLs it cannot use, masked', async () => {
    expect((await failure(() => loadConfig({ REDIS_URL: 'rediss://:pw@cache:6380' }))).message).toBe('configuration REDIS_URL: "rediss://:***@cache:6380": TLS (rediss://) is not supported');
    expect((await failure(() => loadConfig({ REDIS_URL: '127.0.0.1:6379' }))).message).toMatch(/^configuration REDIS_URL: "127\.0\.0\.1:6379": expected redis:\/\//);
    expect((await failure(() => loadConfig({ FIRMBANK_CONFIG: file('redisUrl: redis://:pw@h:6379/queue\n') }))).message).toBe('configuration redisUrl: "redis://:***@h:6379/queue": the path must be a database number (/0 … /15)');
  });

  it('FIRMBANK_CONFIG naming a folder, or holding something else than a mapping', async () => {
    expect((await failure(() => loadConfig({ FIRMBANK_CONFIG: dir }))).message).toBe(`configuration FIRMBANK_CONFIG: ${dir} is a folder: name the YAML or JSON file in it`);
    expect((await failure(() => loadConfig({ FIRMBANK_CONFIG: file('- a\n- b\n') }))).message).toMatch(/must hold a mapping of settings, not a list/);
    expect((await failure(() => loadConfig({ FIRMBANK_CONFIG: file('port: [1\n') }))).message).toMatch(/^configuration FIRMBANK_CONFIG: .* is not valid YAML/);
    expect(loadConfig({ FIRMBANK_CONFIG: file('# nothing yet\n') }).institutions).toHaveLength(1);
  });

  it('institutions that are not a list of mappings', async () => {
    expect((await failure(() => loadConfig({ FIRMBANK_CONFIG: file('institutions: [1, 2]\n') }))).message).toBe('configuration institutions[0]: must be a mapping of settings (key: value), not 1');
    expect((await failure(() => loadConfig({ FIRMBANK_CONFIG: file('institutions: {}\n') }))).message).toBe('configuration institutions: must be a list of institutions (- id: …), not a mapping');
    expect((await failure(() => loadConfig({ FIRMBANK_CONFIG: file('institutions: []\n') }))).message).toBe('configuration institutions: must name at least one institution');
    expect((await failure(() => loadConfig({ FIRMBANK_CONFIG: file('institutions:\n') }))).message).toMatch(/^configuration institutions: must be a list of institutions .*, not nothing/);
    expect((await failure(() => loadConfig({ FIRMBANK_CONFIG: file('api: 8080\n') }))).message).toBe('configuration api: must be a mapping of settings (key: value), not 8080');
  });

  it('unknown keys are errors naming the key, with the one meant when only its case differs', async () => {
    expect((await failure(() => loadConfig({ FIRMBANK_CONFIG: file('institutions:\n  - { id: hecto, bankcode: "088" }\n') }))).message).toBe(
      'configuration institutions[0].bankcode: is not a setting (did you mean institutions[0].bankCode?)',
    );
    expect((await failure(() => loadConfig({ FIRMBANK_CONFIG: file('databaseURL: postgres://x@y/z\n') }))).message).toBe('configuration databaseURL: is not a setting (did you mean databaseUrl?)');
    expect((await failure(() => loadConfig({ FIRMBANK_CONFIG: file('api: { prot: 9000 }\n') }))).message).toBe('configuration api.prot: is not a setting (known here: host, port)');
    expect((await failure(() => loadConfig({ FIRMBANK_CONFIG: file('redis: redis://h\n') }))).message).toMatch(/^configuration redis: is not a setting \(known here: api, databaseUrl, redisUrl/);
  });

  it('remembers where each start-up setting came from, for the errors at start', () => {
    expect(loadConfig({}).settingNames).toEqual({ databaseUrl: 'DATABASE_URL', redisUrl: 'REDIS_URL', port: 'PORT', host: 'HOST', dataDir: 'FIRMBANK_DATA_DIR' });
    const f = file('api: { port: 9000, host: 127.0.0.1 }\nredisUrl: redis://h:6379\n');
    expect(loadConfig({ FIRMBANK_CONFIG: f }).settingNames).toMatchObject({ port: 'api.port', host: 'api.host', redisUrl: 'redisUrl', databaseUrl: 'DATABASE_URL' });
    expect(loadConfig({ FIRMBANK_CONFIG: f, PORT: '9001' }).settingNames).toMatchObject({ port: 'PORT' });
  });
});

describe('data files are private, whatever the umask', () => {
  it('a folder we create is 0700; one that exists keeps its mode unless it is ours by definition', () =>
    withUmask(0, () => {
      const base = tmp('dirs');
      makePrivateDir(join(base, 'new', 'data'));
      expect(mode(join(base, 'new', 'data'))).toBe('700');
      const shared = join(base, 'shared');
      mkdirSync(shared);
      chmodSync(shared, 0o750);
      makePrivateDir(shared);
      expect(mode(shared)).toBe('750');
      makePrivateDir(shared, true);
      expect(mode(shared)).toBe('700');
    }));

  it('the SQLite ledger and its -wal/-shm are 0600 in a 0700 folder; an older 0644 ledger is tightened', () =>
    withUmask(0, async () => {
      const dir = join(tmp('sqlite'), 'data');
      const file = join(dir, 'ledger.sqlite');
      const ds = await openDatabase({ url: file });
      await ds.query('SELECT 1');
      expect([mode(dir), mode(file), mode(`${file}-wal`), mode(`${file}-shm`)]).toEqual(['700', '600', '600', '600']);
      await ds.destroy();
      chmodSync(file, 0o644);
      const again = await openDatabase({ url: file });
      expect(mode(file)).toBe('600');
      await again.destroy();
    }));

  it('the sequence file of firmbank send is 0600 in a 0700 folder', () =>
    withUmask(0, async () => {
      const file = join(tmp('seq'), '.data', 'sequence.json');
      await new FileSequenceSource(file).next({ date: '2026-11-25', bankCode: '004', companyId: 'FIRM01', max: 950_000 });
      expect([mode(join(file, '..')), mode(file)]).toEqual(['700', '600']);
    }));
});

describe('database errors at start', () => {
  it('an unreachable PostgreSQL is FB_DATABASE_UNAVAILABLE naming DATABASE_URL, password masked', async () => {
    const port = await freePort();
    const e = await failure(() => openDatabase({ url: `postgres://postgres:hunter2@127.0.0.1:${port}/test` }));
    expect(e).toMatchObject({ code: 'FB_DATABASE_UNAVAILABLE', setting: 'DATABASE_URL' });
    expect(e.message).toBe(`DATABASE_URL=postgres://postgres:***@127.0.0.1:${port}/test: nothing accepts connections at 127.0.0.1:${port}: is PostgreSQL running and listening there?`);
  });

  it('a database or role that does not exist, named by the setting the caller gives', async () => {
    const base = new URL(PG_ADMIN);
    const noDb = await failure(() => openDatabase({ url: `postgres://postgres@${base.host}/fb_no_such_db`, setting: 'databaseUrl' }));
    expect(noDb).toMatchObject({ code: 'FB_DATABASE_UNAVAILABLE', setting: 'databaseUrl' });
    expect(noDb.message).toMatch(/database "fb_no_such_db" does not exist: create it first/);
    const noRole = await failure(() => openDatabase({ url: `postgres://fb_nobody:pw@${base.host}/test` }));
    expect(noRole.message).toBe(`DATABASE_URL=postgres://fb_nobody:***@${base.host}/test: role "fb_nobody" does not exist (28000)`);
  });

  it('a SQLite path that cannot be a file', async () => {
    const blocker = join(tmp('sqlite-bad'), 'not-a-folder');
    writeFileSync(blocker, 'x');
    const e = await failure(() => openDatabase({ url: join(blocker, 'ledger.sqlite') }));
    expect(e.code).toBe('FB_DATABASE_UNAVAILABLE');
    expect(e.message).toMatch(/a part of its path is a file, not a folder$/);
  });
});

describe('Redis with a password', () => {
  let port: number;
  let redis: { stop: () => Promise<void> };
  beforeAll(async () => {
    port = await freePort();
    redis = await startRedisServer(port, ['--requirepass', 'secret']);
    const admin = new Redis({ port, password: 'secret', lazyConnect: true });
    await admin.connect();
    await admin.call('ACL', 'SETUSER', 'alice', 'on', '>s3cret', '~*', '&*', '+@all');
    admin.disconnect();
  });
  afterAll(() => redis?.stop());

  it('a missing password is FB_REDIS_AUTH saying how to give one', async () => {
    const e = await failure(() => ensureRedis(`redis://127.0.0.1:${port}`, true, tmp('r')));
    expect(e).toMatchObject({ code: 'FB_REDIS_AUTH', setting: 'REDIS_URL' });
    expect(e.message).toBe(`REDIS_URL=redis://127.0.0.1:${port}: the Redis at 127.0.0.1:${port} wants a password and the URL has none: write it as redis://:PASSWORD@127.0.0.1:${port} (or redis://USER:PASSWORD@127.0.0.1:${port} for an ACL user)`);
  });

  it('a wrong password or user is FB_REDIS_AUTH, masked', async () => {
    const e = await failure(() => ensureRedis(`redis://:nope-xyz@127.0.0.1:${port}`, true, tmp('r'), 'redisUrl'));
    expect(e).toMatchObject({ code: 'FB_REDIS_AUTH', setting: 'redisUrl' });
    expect(e.message).toMatch(new RegExp(`^redisUrl=redis://:\\*\\*\\*@127\\.0\\.0\\.1:${port}: the Redis at 127\\.0\\.0\\.1:${port} refuses the password: WRONGPASS`));
    expect(e.message).not.toContain('nope-xyz');
    const user = await failure(() => ensureRedis(`redis://alice:nope-xyz@127.0.0.1:${port}`, true, tmp('r')));
    expect(user.message).toMatch(/refuses user "alice" with that password/);
    expect(user.message).not.toContain('nope-xyz');
  });

  it('the right password (default user or ACL user) is used, AUTH before PING, and the queue connection works with it', async () => {
    for (const url of [`redis://:secret@127.0.0.1:${port}`, `redis://alice:s3cret@127.0.0.1:${port}`]) {
      const handle = await ensureRedis(url, true, tmp('r'));
      await handle.stop(); // not ours: nothing stopped
      expect(await answers(port)).toBe(true);
    }
    const r = new Redis({ ...(redisConnection(`redis://:secret@127.0.0.1:${port}`) as object), lazyConnect: true });
    await r.connect();
    expect(await r.ping()).toBe('PONG');
    r.disconnect();
  });

  it('something that is not Redis on the port is said so, not taken for a Redis to start', async () => {
    const server: Server = createServer((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
    const p = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
    const e = await failure(() => ensureRedis(`redis://127.0.0.1:${p}`, true, tmp('r')));
    expect(e).toMatchObject({ code: 'FB_REDIS_UNAVAILABLE' });
    expect(e.message).toBe(`REDIS_URL=redis://127.0.0.1:${p}: something at 127.0.0.1:${p} is not a Redis (HTTP/1.1 400 Bad Request): check the port`);
    server.close();
  });

  it('a private redis-server for a URL with a password (or an ACL user) requires it, never shows it on a command line, keeps its folder 0700', async () => {
    for (const user of ['', 'bob']) {
      const p = await freePort();
      const dataDir = join(tmp('private'), 'data');
      const handle = await ensureRedis(`redis://${user}:pr1vate-pw@127.0.0.1:${p}`, true, dataDir);
      try {
        expect(processesMentioning('pr1vate-pw')).toEqual([]);
        expect((await failure(() => ensureRedis(`redis://127.0.0.1:${p}`, true, dataDir))).code).toBe('FB_REDIS_AUTH');
        // With a user, the default user is off: the same password without the user is refused.
        if (user) expect((await failure(() => ensureRedis(`redis://:pr1vate-pw@127.0.0.1:${p}`, true, dataDir))).code).toBe('FB_REDIS_AUTH');
        expect(mode(join(dataDir, 'redis'))).toBe('700');
        expect(readdirSync(join(dataDir, 'redis'))).toEqual(['redis.log']); // the config with the password is gone
        expect(mode(join(dataDir, 'redis', 'redis.log'))).toBe('600');
      } finally {
        await handle.stop();
      }
      expect(await answers(p)).toBe(false);
    }
  });
});

describe('a private redis-server that cannot start', () => {
  it('says why, from its log, at once', async () => {
    const server: Server = createServer();
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
    try {
      const t0 = Date.now();
      const e = await startPrivateRedis({ host: '127.0.0.1', port, db: 0 }, join(tmp('private'), 'data'), (reason) => new Error(reason)).then(
        () => null,
        (err: Error) => err,
      );
      // Redis' own words (from its log), whatever its version puts around them.
      expect(e?.message).toMatch(new RegExp(`^started redis-server on 127\\.0\\.0\\.1:${port}, but it stopped: .*Address already in use`));
      expect(Date.now() - t0).toBeLessThan(4_000); // not the 5 s of waiting for an answer
    } finally {
      server.close();
    }
  });
});

describe('firmbank start: one line, the setting named, masked, exit 2', () => {
  beforeAll(() => ensureBuilt(), 180_000);

  /** One line on stderr, exactly `expected`, no stack trace, exit status 2. */
  function expectOneLine(r: { status: number | null; stderr: string }, expected: string) {
    expect(r.stderr).toBe(expected + '\n');
    expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
    expect(r.status).toBe(2);
  }

  it('DATABASE_URL of an unsupported database', async () => {
    const r = await runStart({ DATABASE_URL: 'mysql://root:hunter2@db:3306/ledger', FIRMBANK_DATA_DIR: tmp('cli'), PORT: '0' });
    expectOneLine(r, 'firmbank: FB_CONFIG_INVALID: configuration DATABASE_URL: "mysql://root:***@db:3306/ledger" is not supported: use postgres://user@host:5432/db for PostgreSQL, or a file path (no scheme) for SQLite');
  }, 60_000);

  it('an unreachable PostgreSQL (with the Redis that runs here)', async () => {
    const port = await freePort();
    const r = await runStart({ DATABASE_URL: `postgres://postgres:hunter2@127.0.0.1:${port}/test`, REDIS_URL: 'redis://127.0.0.1:6379', FIRMBANK_DATA_DIR: tmp('cli'), PORT: '0' });
    expectOneLine(r, `firmbank: FB_DATABASE_UNAVAILABLE: DATABASE_URL=postgres://postgres:***@127.0.0.1:${port}/test: nothing accepts connections at 127.0.0.1:${port}: is PostgreSQL running and listening there?`);
  }, 60_000);

  it('a profile that does not bind what the engine needs, before anything starts', async () => {
    const dir = tmp('profile');
    const profile = join(dir, 'broken.profile.yaml');
    writeFileSync(profile, 'institution: hecto\nspec: ' + join(process.cwd(), 'specs/hecto.yaml') + '\ncodes: ' + join(process.cwd(), 'specs/codes/hecto-bank-response-codes.csv') + '\nhours: ' + join(process.cwd(), 'specs/hours/hecto.yaml') + '\nbankCodes: { width: 3 }\noperations:\n  transfer:\n    message: transfer.request\n    fields: { amount: amount, depositAccount: depositAccount }\n');
    const config = join(dir, 'config.yaml');
    writeFileSync(config, `institutions:\n  - { profile: ${profile} }\n`);
    const r = await runStart({ FIRMBANK_CONFIG: config, FIRMBANK_DATA_DIR: join(dir, 'data'), PORT: '0' });
    expectOneLine(r, `firmbank: FB_PROFILE_INVALID: ${profile}: operations.transfer.fields.depositBankCode: is required by the engine and mapped to nothing`);
  }, 60_000);

  it('the API port in use', async () => {
    const server = createServer();
    const port = await new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
    try {
      const r = await runStart({ PORT: String(port), FIRMBANK_DATA_DIR: tmp('cli') });
      expectOneLine(r, `firmbank: FB_PORT_IN_USE: PORT=${port}: 127.0.0.1:${port} is already in use by another program: stop it or choose another port`);
    } finally {
      server.close();
    }
  }, 60_000);

  it('a Redis that refuses the password', async () => {
    const port = await freePort();
    const redis = await startRedisServer(port, ['--requirepass', 'secret']);
    try {
      const r = await runStart({ REDIS_URL: `redis://:nope-xyz@127.0.0.1:${port}`, FIRMBANK_DATA_DIR: tmp('cli'), PORT: '0' });
      expectOneLine(r, `firmbank: FB_REDIS_AUTH: REDIS_URL=redis://:***@127.0.0.1:${port}: the Redis at 127.0.0.1:${port} refuses the password: WRONGPASS invalid username-password pair or user is disabled.`);
    } finally {
      await redis.stop();
    }
  }, 60_000);

  it('a data folder that cannot be made', async () => {
    const blocker = join(tmp('cli'), 'a-file');
    writeFileSync(blocker, 'x');
    const r = await runStart({ FIRMBANK_DATA_DIR: join(blocker, 'data'), PORT: '0' });
    expectOneLine(r, `firmbank: FB_DATA_DIR_UNAVAILABLE: FIRMBANK_DATA_DIR=${join(blocker, 'data')}: cannot create the data folder: a file is in the way of the folder`);
  }, 60_000);

  it('a failure after the private Redis started ends the process and leaves no redis-server behind', async () => {
    const [redisPort, pgPort] = [await freePort(), await freePort()];
    const r = await runStart({ REDIS_URL: `redis://127.0.0.1:${redisPort}`, DATABASE_URL: `postgres://postgres@127.0.0.1:${pgPort}/test`, FIRMBANK_DATA_DIR: tmp('cli'), PORT: '0' });
    expectOneLine(r, `firmbank: FB_DATABASE_UNAVAILABLE: DATABASE_URL=postgres://postgres@127.0.0.1:${pgPort}/test: nothing accepts connections at 127.0.0.1:${pgPort}: is PostgreSQL running and listening there?`);
    await expect.poll(() => answers(redisPort), { timeout: 5_000 }).toBe(false);
  }, 60_000);

  it('killed with SIGKILL, the gateway leaves no private redis-server; its password was never shown; its files are private under umask 000', async () => {
    const redisPort = await freePort();
    const dataDir = join(tmp('kill'), 'data');
    const child = spawnStart({ REDIS_URL: `redis://:t0psecret-pw@127.0.0.1:${redisPort}`, FIRMBANK_DATA_DIR: dataDir, PORT: '0' }, '000');
    try {
      const out = await waitListening(child);
      expect(out).toContain(`redis: redis://:***@127.0.0.1:${redisPort}`);
      expect(out).not.toContain('t0psecret-pw');
      expect(processesMentioning('t0psecret-pw')).toEqual([]);
      expect(await answers(redisPort)).toBe(true);
      const db = join(dataDir, 'firmbank.sqlite');
      expect({ dataDir: mode(dataDir), db: mode(db), wal: mode(`${db}-wal`), shm: mode(`${db}-shm`), key: mode(join(dataDir, 'demo-api-key')), redis: mode(join(dataDir, 'redis')) }).toEqual({
        dataDir: '700', db: '600', wal: '600', shm: '600', key: '600', redis: '700',
      });
    } finally {
      child.kill('SIGKILL');
    }
    await expect.poll(() => answers(redisPort), { timeout: 5_000, interval: 100 }).toBe(false);
    expect(existsSync(join(dataDir, 'redis', 'redis.conf'))).toBe(false);
  }, 90_000);
});
