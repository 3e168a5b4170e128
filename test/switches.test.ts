import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import type { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SwitchNameError } from '../src/domain/switch-name-error.js';
import {
  EVERY,
  SWITCH_FLOWS,
  SWITCH_STATES,
  effectiveSwitch,
  parseSwitchName,
  switchKey,
  type SwitchFlow,
  type SwitchName,
  type SwitchState,
} from '../src/domain/switches.js';
import { ValidationError } from '../src/flows/validation-error.js';
import { openDatabase } from '../src/ledger/data-source.js';
import { SwitchConflictError } from '../src/ledger/switch-conflict-error.js';
import { SwitchStore } from '../src/ledger/switch-store.js';
import type { Logger } from '../src/log/logger.js';
import { SwitchBroadcast } from '../src/queue/switch-broadcast.js';
import { Switchboard, type SwitchStorage } from '../src/switches/switchboard.js';
import { freshDatabase } from './helpers/gateway.js';

const REDIS = 'redis://127.0.0.1:6379';
/** Nothing listens on port 1: connections are refused at once. */
const NO_REDIS = 'redis://127.0.0.1:1';

const RANK: Record<SwitchState, number> = { on: 0, hold: 1, off: 2 };

/** A logger that keeps its lines, for tests to look at. */
function recordingLogger(): Logger & { lines: { level: string; event: string; details?: Record<string, unknown> }[] } {
  const lines: { level: string; event: string; details?: Record<string, unknown> }[] = [];
  const keep = (level: string) => (event: string, details?: Record<string, unknown>) => void lines.push({ level, event, ...(details ? { details } : {}) });
  return { lines, info: keep('info'), warn: keep('warn'), error: keep('error') };
}

/** Resolves when `check` holds, polling every 5 ms; rejects after `ms`. */
async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function prefix(): string {
  return `fbtest-sw-${randomBytes(4).toString('hex')}`;
}

describe('effectiveSwitch', () => {
  const institutions = ['hecto', 'kftc', 'nh-1'];
  const scopeArb = fc.constantFrom(EVERY, ...institutions);
  const flowArb = fc.constantFrom<SwitchName['flow']>(EVERY, ...SWITCH_FLOWS);
  const stateArb = fc.constantFrom(...SWITCH_STATES);
  const settingArb = fc.record({ scope: scopeArb, flow: flowArb, state: stateArb });
  const settingsArb = fc.array(settingArb, { maxLength: 20 });
  const queryArb = fc.tuple(fc.constantFrom(...institutions), fc.constantFrom(...SWITCH_FLOWS));

  const applies = (s: SwitchName, institution: string, flow: SwitchFlow) => (s.scope === EVERY || s.scope === institution) && (s.flow === EVERY || s.flow === flow);
  /** The four switches over a flow of an institution, broadest first. */
  const over = (institution: string, flow: SwitchFlow): SwitchName[] => [
    { scope: EVERY, flow: EVERY },
    { scope: EVERY, flow },
    { scope: institution, flow: EVERY },
    { scope: institution, flow },
  ];

  it('is the most restrictive switch over the flow, never less restrictive than any of them (brute force)', () => {
    fc.assert(
      fc.property(settingsArb, queryArb, (settings, [institution, flow]) => {
        const got = effectiveSwitch(settings, institution, flow);
        const relevant = settings.filter((s) => applies(s, institution, flow));
        const model = relevant.reduce<SwitchState>((top, s) => (RANK[s.state] > RANK[top] ? s.state : top), 'on');
        expect(got.state).toBe(model);
        for (const s of relevant) expect(RANK[got.state]).toBeGreaterThanOrEqual(RANK[s.state]);
      }),
      { numRuns: 500 },
    );
  });

  it('names the switch that decided: one over the flow, in that state, the broadest such; null when on', () => {
    fc.assert(
      fc.property(settingsArb, queryArb, (settings, [institution, flow]) => {
        const got = effectiveSwitch(settings, institution, flow);
        if (got.state === 'on') {
          expect(got.decidedBy).toBeNull();
          return;
        }
        const deciding = over(institution, flow).find((n) => settings.some((s) => switchKey(s) === switchKey(n) && s.state === got.state));
        expect(got.decidedBy).toEqual(deciding);
      }),
      { numRuns: 500 },
    );
  });

  it('is not moved by switches of other institutions or other flows', () => {
    fc.assert(
      fc.property(settingsArb, settingsArb, queryArb, (settings, noise, [institution, flow]) => {
        const unrelated = noise.filter((s) => !applies(s, institution, flow));
        expect(effectiveSwitch([...unrelated, ...settings, ...unrelated], institution, flow)).toEqual(effectiveSwitch(settings, institution, flow));
      }),
      { numRuns: 300 },
    );
  });

  it('is on, decided by nothing, when no switch was set', () => {
    expect(effectiveSwitch([], 'hecto', 'transfers')).toEqual({ state: 'on', decidedBy: null });
  });

  it('examples: the broader of two equal switches is named; a narrower stricter one wins', () => {
    const s = (key: string, state: SwitchState) => ({ ...parseSwitchName(key), state });
    expect(effectiveSwitch([s('hecto/transfers', 'off'), s('global', 'off')], 'hecto', 'transfers')).toEqual({ state: 'off', decidedBy: { scope: '*', flow: '*' } });
    expect(effectiveSwitch([s('global', 'hold'), s('hecto/transfers', 'off')], 'hecto', 'transfers')).toEqual({ state: 'off', decidedBy: { scope: 'hecto', flow: 'transfers' } });
    expect(effectiveSwitch([s('*/batch', 'hold'), s('hecto/*', 'hold')], 'hecto', 'batch')).toEqual({ state: 'hold', decidedBy: { scope: '*', flow: 'batch' } });
    expect(effectiveSwitch([s('hecto/transfers', 'off')], 'kftc', 'transfers').state).toBe('on');
    expect(effectiveSwitch([s('hecto/transfers', 'off')], 'hecto', 'collections').state).toBe('on');
  });
});

describe('parseSwitchName', () => {
  it('reads SCOPE/FLOW with * for every, and global', () => {
    expect(parseSwitchName('hecto/transfers')).toEqual({ scope: 'hecto', flow: 'transfers' });
    expect(parseSwitchName('*/batch')).toEqual({ scope: '*', flow: 'batch' });
    expect(parseSwitchName('hecto/*')).toEqual({ scope: 'hecto', flow: '*' });
    expect(parseSwitchName('*/*')).toEqual({ scope: '*', flow: '*' });
    expect(parseSwitchName('global')).toEqual({ scope: '*', flow: '*' });
    expect(parseSwitchName('nh-1/one-won')).toEqual({ scope: 'nh-1', flow: 'one-won' });
  });

  it('reads back every name it writes', () => {
    const name = fc.record({
      scope: fc.oneof(fc.constant(EVERY), fc.stringMatching(/^[a-z][a-z0-9-]{0,31}$/)),
      flow: fc.constantFrom<SwitchName['flow']>(EVERY, ...SWITCH_FLOWS),
    });
    fc.assert(
      fc.property(name, (n) => {
        expect(parseSwitchName(switchKey(n))).toEqual(n);
      }),
    );
  });

  it.each([
    ['hecto', /write SCOPE\/FLOW/],
    ['batch', /write SCOPE\/FLOW/],
    ['', /write SCOPE\/FLOW/],
    ['hecto/transfers/x', /write SCOPE\/FLOW/],
    ['Hecto/transfers', /scope "Hecto" is neither \* nor an institution id/],
    ['/transfers', /scope "" is neither/],
    ['1bank/transfers', /scope "1bank"/],
    [`a${'b'.repeat(32)}/transfers`, /is neither \* nor an institution id/],
    ['hecto/wires', /flow "wires" is not one of \*, transfers, collections, one-won, notices, batch/],
    ['hecto/', /flow "" is not one of/],
    ['global/x', /flow "x"/],
  ])('refuses %j, saying what is wrong', (text, why) => {
    let caught: unknown;
    try {
      parseSwitchName(text);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(SwitchNameError);
    expect((caught as SwitchNameError).code).toBe('FB_SWITCH_INVALID');
    expect((caught as SwitchNameError).name).toBe('SwitchNameError');
    expect((caught as SwitchNameError).input).toBe(text);
    expect((caught as Error).message).toMatch(why);
  });
});

/** Runs `fn` and returns what it threw (failing when it does not). */
async function thrown(fn: () => Promise<unknown>): Promise<Error & { code?: string; field?: string }> {
  try {
    await fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe.each(['sqlite', 'postgres'] as const)('SwitchStore (%s)', (kind) => {
  let ds: DataSource;
  let url: string;
  let drop: () => Promise<void> = async () => {};
  let clock = new Date('2025-03-04T05:06:07.089Z');
  let store: SwitchStore;

  beforeAll(async () => {
    const db = await freshDatabase(kind);
    drop = db.drop;
    url = db.url;
    ds = await openDatabase({ url });
    store = new SwitchStore(ds, () => clock);
  });
  afterAll(async () => {
    await ds?.destroy();
    await drop();
  });

  it('starts empty, at version 0', async () => {
    expect(await store.list()).toEqual([]);
    expect(await store.version()).toBe(0);
    expect(await store.get({ scope: 'hecto', flow: 'transfers' })).toBeNull();
  });

  it('sets, lists and audits: who, when, from, to, why; every set a new version, one sequence over all switches', async () => {
    const hecto = parseSwitchName('hecto/transfers');
    clock = new Date('2025-03-04T05:06:07.089Z');
    const first = await store.set(hecto, 'hold', 'kim', 'bank maintenance 02:00-03:00');
    expect(first).toEqual({ scope: 'hecto', flow: 'transfers', state: 'hold', version: 1, changedAt: clock, changedBy: 'kim', reason: 'bank maintenance 02:00-03:00' });
    clock = new Date('2025-03-04T05:07:00.000Z');
    const global = await store.set(parseSwitchName('global'), 'off', 'lee', 'incident 42');
    expect(global.version).toBe(2);
    clock = new Date('2025-03-04T05:08:00.500Z');
    const back = await store.set(hecto, 'on', 'kim', 'maintenance over');
    expect(back.version).toBe(3); // past the global switch's: the highest version moved
    expect(await store.version()).toBe(3);

    expect(await store.list()).toEqual([
      { scope: '*', flow: '*', state: 'off', version: 2, changedAt: new Date('2025-03-04T05:07:00.000Z'), changedBy: 'lee', reason: 'incident 42' },
      { scope: 'hecto', flow: 'transfers', state: 'on', version: 3, changedAt: new Date('2025-03-04T05:08:00.500Z'), changedBy: 'kim', reason: 'maintenance over' },
    ]);
    expect(await store.get(hecto)).toEqual(back);

    const changes = await store.changes({ limit: 10 });
    expect(changes.map((c) => [switchKey(c), c.from, c.to, c.changedBy, c.reason, c.version, c.changedAt.toISOString()])).toEqual([
      ['hecto/transfers', 'hold', 'on', 'kim', 'maintenance over', 3, '2025-03-04T05:08:00.500Z'],
      ['*/*', 'on', 'off', 'lee', 'incident 42', 2, '2025-03-04T05:07:00.000Z'],
      ['hecto/transfers', 'on', 'hold', 'kim', 'bank maintenance 02:00-03:00', 1, '2025-03-04T05:06:07.089Z'],
    ]);
    expect((await store.changes({ scope: 'hecto', limit: 10 })).map((c) => c.version)).toEqual([3, 1]);
    expect((await store.changes({ scope: '*', flow: '*', limit: 10 })).map((c) => c.version)).toEqual([2]);
    expect((await store.changes({ flow: 'batch', limit: 10 })).length).toBe(0);
    expect((await store.changes({ limit: 1 })).map((c) => c.version)).toEqual([3]);
  });

  it('audits a set to the state a switch already has, with a new version', async () => {
    const name = parseSwitchName('*/*');
    const again = await store.set(name, 'off', 'park', 'still investigating incident 42');
    expect(again.version).toBe(4);
    const [last] = await store.changes({ scope: '*', flow: '*', limit: 1 });
    expect(last).toMatchObject({ from: 'off', to: 'off', changedBy: 'park', reason: 'still investigating incident 42', version: 4 });
  });

  it('refuses a set whose expected version is not the switch’s, changing nothing', async () => {
    const name = parseSwitchName('kftc/batch');
    const e = await thrown(() => store.set(name, 'off', 'kim', 'stop', 1));
    expect(e).toBeInstanceOf(SwitchConflictError);
    expect(e.code).toBe('FB_SWITCH_CONFLICT');
    expect(e.message).toMatch(/kftc\/batch is at version 0, not 1/);
    expect(await store.get(name)).toBeNull();
    const made = await store.set(name, 'off', 'kim', 'stop', 0); // 0: never set
    expect(await thrown(() => store.set(name, 'on', 'kim', 'go', made.version - 1))).toBeInstanceOf(SwitchConflictError);
    expect((await store.set(name, 'on', 'kim', 'go', made.version)).state).toBe('on');
    expect((await store.changes({ scope: 'kftc', limit: 10 })).length).toBe(2);
  });

  it('requires who and why, a real state and name, naming what is missing', async () => {
    const name = parseSwitchName('hecto/notices');
    const before = await store.version();
    for (const [by, reason, field] of [
      ['kim', '', 'reason'],
      ['kim', '   ', 'reason'],
      ['', 'why', 'by'],
      ['kim', 'x'.repeat(501), 'reason'],
      ['k'.repeat(65), 'why', 'by'],
    ] as const) {
      const e = await thrown(() => store.set(name, 'off', by, reason));
      expect(e).toBeInstanceOf(ValidationError);
      expect(e.code).toBe('FB_VALIDATION');
      expect(e.field).toBe(field);
    }
    expect((await thrown(() => store.set(name, 'paused' as SwitchState, 'kim', 'why'))).field).toBe('state');
    expect((await thrown(() => store.set(name, 'off', 'kim', 'why', -1))).field).toBe('expectedVersion');
    expect(await thrown(() => store.set({ scope: 'Hecto', flow: 'notices' }, 'off', 'kim', 'why'))).toBeInstanceOf(SwitchNameError);
    expect(await thrown(() => store.set({ scope: 'hecto', flow: 'wires' as SwitchFlow }, 'off', 'kim', 'why'))).toBeInstanceOf(SwitchNameError);
    expect((await thrown(() => store.changes({ limit: 0 }))).field).toBe('limit');
    expect(await store.version()).toBe(before);
    expect(await store.get(name)).toBeNull();
  });

  it('trims who and why', async () => {
    const s = await store.set(parseSwitchName('hecto/one-won'), 'hold', '  kim ', ' vendor asked \n');
    expect([s.changedBy, s.reason]).toEqual(['kim', 'vendor asked']);
  });

  it.runIf(kind === 'postgres')('takes concurrent sets from two processes one at a time: consecutive versions, one audit row each', async () => {
    const other = await openDatabase({ url });
    try {
      const stores = [store, new SwitchStore(other, () => clock)];
      const base = await store.version();
      // A switch never set: both sides race to make its row first.
      const name = parseSwitchName('race/transfers');
      const states: SwitchState[] = ['on', 'hold', 'off'];
      const made = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 2]!.set(name, states[i % 3]!, `op${i}`, `set ${i}`)));
      expect(made.map((s) => s.version).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => base + 1 + i));
      const audit = (await store.changes({ scope: 'race', limit: 100 })).reverse();
      expect(audit.map((c) => c.version)).toEqual(made.map((s) => s.version).sort((a, b) => a - b));
      expect(new Set(audit.map((c) => c.changedBy)).size).toBe(20);
      // each change starts where the one before it left the switch
      expect(audit[0]!.from).toBe('on');
      for (let i = 1; i < audit.length; i++) expect(audit[i]!.from).toBe(audit[i - 1]!.to);
      expect((await store.get(name))?.state).toBe(audit.at(-1)!.to);
    } finally {
      await other.destroy();
    }
  });
});

describe('SwitchBroadcast', () => {
  const open: SwitchBroadcast[] = [];
  afterEach(async () => {
    for (const b of open.splice(0)) await b.close();
  });

  it('carries a version from one process to another on <prefix>:switches', async () => {
    const p = prefix();
    const [a, b] = [new SwitchBroadcast(REDIS, p, recordingLogger()), new SwitchBroadcast(REDIS, p, recordingLogger())];
    open.push(a, b);
    expect(a.channel).toBe(`${p}:switches`);
    const heard: (number | null)[] = [];
    await b.subscribe((v) => heard.push(v));
    await a.publish(17);
    await until(() => heard.length === 1, 1_000, 'the message');
    expect(heard).toEqual([17]);
  });

  it('without Redis: subscribing returns, publishing fails within a second, one line logged per connection, no stack', async () => {
    const log = recordingLogger();
    const b = new SwitchBroadcast(NO_REDIS, prefix(), log);
    open.push(b);
    const t0 = Date.now();
    await b.subscribe(() => {});
    const e = await thrown(() => b.publish(1));
    expect(Date.now() - t0).toBeLessThan(2_500);
    expect(e).toBeInstanceOf(Error);
    await new Promise((r) => setTimeout(r, 500)); // several reconnection attempts
    const down = log.lines.filter((l) => l.event === 'switch broadcast unavailable');
    expect(down.map((l) => l.details?.['connection']).sort()).toEqual(['publisher', 'subscriber']);
    for (const l of down) expect(String(l.details?.['reason'])).not.toMatch(/\n|at .*\(/);
    expect(String(down[0]!.details?.['reason'])).toMatch(/ECONNREFUSED/);
  });
});

describe.each(['sqlite', 'postgres'] as const)('Switchboard (%s, real Redis)', (kind) => {
  let url: string;
  let drop: () => Promise<void> = async () => {};
  const closing: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    const db = await freshDatabase(kind);
    url = db.url;
    drop = db.drop;
  });
  afterEach(async () => {
    for (const close of closing.splice(0).reverse()) await close();
  });
  afterAll(async () => {
    await drop();
  });

  /** A process's view: its own connection to the database, its own broadcast. */
  async function board(options: { pollMs?: number; redis?: string; prefix: string; logger?: Logger }): Promise<{ board: Switchboard; store: SwitchStore; changes: [string, SwitchState, SwitchState, number][] }> {
    const ds = await openDatabase({ url });
    closing.push(() => ds.destroy());
    const store = new SwitchStore(ds);
    const logger = options.logger ?? recordingLogger();
    const b = new Switchboard(store, new SwitchBroadcast(options.redis ?? REDIS, options.prefix, logger), logger, options.pollMs !== undefined ? { pollMs: options.pollMs } : {});
    closing.push(() => b.close());
    const changes: [string, SwitchState, SwitchState, number][] = [];
    b.onChange((name, from, to) => void changes.push([switchKey(name), from, to, Date.now()]));
    await b.start();
    return { board: b, store, changes };
  }

  it('a set through one board is seen by the other within a second, and both tell their listeners', async () => {
    const p = prefix();
    const a = await board({ prefix: p, pollMs: 60_000 }); // polling out of the way: the broadcast alone
    const b = await board({ prefix: p, pollMs: 60_000 });
    expect(b.board.state('hecto', 'transfers')).toEqual({ state: 'on', decidedBy: null });

    const t0 = Date.now();
    const set = await a.board.set(parseSwitchName('hecto/transfers'), 'off', 'kim', 'incident 7');
    expect(a.board.state('hecto', 'transfers')).toEqual({ state: 'off', decidedBy: { scope: 'hecto', flow: 'transfers' } }); // at once, here
    await until(() => b.board.state('hecto', 'transfers').state === 'off', 1_000, 'the other board sees the switch');
    const elapsed = Date.now() - t0;
    expect(elapsed).toBeLessThan(1_000);
    expect(b.board.state('hecto', 'transfers').decidedBy).toEqual({ scope: 'hecto', flow: 'transfers' });
    expect(b.board.version).toBe(set.version);
    expect(b.board.list()).toEqual([set]);
    expect(a.changes.map(([n, f, t]) => [n, f, t])).toEqual([['hecto/transfers', 'on', 'off']]);
    expect(b.changes.map(([n, f, t]) => [n, f, t])).toEqual([['hecto/transfers', 'on', 'off']]);

    // hold, then on again: what the lead releases held transfers on
    await a.board.set(parseSwitchName('hecto/transfers'), 'hold', 'kim', 'holding while we look');
    await until(() => b.changes.length === 2, 1_000, 'the hold heard');
    await a.board.set(parseSwitchName('hecto/transfers'), 'on', 'kim', 'resolved');
    await until(() => b.changes.length === 3, 1_000, 'the release heard');
    expect(b.changes.map(([n, f, t]) => [n, f, t]).slice(1)).toEqual([
      ['hecto/transfers', 'off', 'hold'],
      ['hecto/transfers', 'hold', 'on'],
    ]);
    expect(b.board.state('hecto', 'transfers')).toEqual({ state: 'on', decidedBy: null });
    // the same state again: audited, a new version, but no change to tell
    await a.board.set(parseSwitchName('hecto/transfers'), 'on', 'kim', 'confirming');
    await until(() => b.board.version === a.board.version, 1_000, 'the version heard');
    expect(b.changes.length).toBe(3);
  });

  it('a change written without a broadcast is found by polling within pollMs', async () => {
    const p = prefix();
    const b = await board({ prefix: p, pollMs: 150 });
    const { store } = await board({ prefix: p, pollMs: 60_000 });
    const t0 = Date.now();
    await store.set(parseSwitchName('*/batch'), 'hold', 'lee', 'file late from the bank'); // the store alone: nobody is told
    await until(() => b.board.state('kftc', 'batch').state === 'hold', 1_500, 'the poll finds the switch');
    expect(Date.now() - t0).toBeLessThan(150 + 500);
    expect(b.board.state('kftc', 'batch').decidedBy).toEqual({ scope: '*', flow: 'batch' });
    expect(b.changes.at(-1)?.slice(0, 3)).toEqual(['*/batch', 'on', 'hold']);
  });

  it('a board whose Redis cannot be reached starts, keeps running and comes round by polling', async () => {
    const log = recordingLogger();
    const t0 = Date.now();
    const lonely = await board({ prefix: prefix(), pollMs: 150, redis: NO_REDIS, logger: log });
    expect(Date.now() - t0).toBeLessThan(3_000);
    const other = await board({ prefix: prefix(), pollMs: 60_000 });
    await other.board.set(parseSwitchName('nh-1/*'), 'off', 'park', 'contract ended');
    await until(() => lonely.board.state('nh-1', 'collections').state === 'off', 2_000, 'polling alone finds it');
    // its own sets still work: written, applied, the failed broadcast logged
    const mine = await lonely.board.set(parseSwitchName('nh-1/*'), 'on', 'park', 'contract renewed');
    expect(mine.state).toBe('on');
    expect(lonely.board.state('nh-1', 'collections').state).toBe('on');
    await new Promise((r) => setTimeout(r, 300));
    expect(log.lines.filter((l) => l.event === 'switch change not broadcast')).toHaveLength(1);
    expect(log.lines.filter((l) => l.event === 'switch broadcast unavailable' && l.details?.['connection'] === 'subscriber')).toHaveLength(1);
  });

  it('a failed read keeps the last switches, logs one line, and recovers', async () => {
    const ds = await openDatabase({ url });
    closing.push(() => ds.destroy());
    const real = new SwitchStore(ds);
    await real.set(parseSwitchName('hecto/collections'), 'off', 'kim', 'bank asked');
    let broken = false;
    const flaky: SwitchStorage = {
      list: () => (broken ? Promise.reject(new Error('connection terminated\n    at somewhere')) : real.list()),
      version: () => (broken ? Promise.reject(new Error('connection terminated')) : real.version()),
      set: (...args) => real.set(...args),
    };
    const log = recordingLogger();
    const b = new Switchboard(flaky, null, log, { pollMs: 30 });
    closing.push(() => b.close());
    await b.start();
    broken = true;
    await real.set(parseSwitchName('hecto/collections'), 'on', 'kim', 'bank done');
    await new Promise((r) => setTimeout(r, 200)); // several polls, every one failing
    await b.refresh();
    expect(b.state('hecto', 'collections').state).toBe('off');
    const failed = log.lines.filter((l) => l.event === 'switches not read; keeping the last ones');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.details?.['reason']).toBe('connection terminated');
    broken = false;
    await until(() => b.state('hecto', 'collections').state === 'on', 1_000, 'recovered');
    expect(log.lines.some((l) => l.event === 'switches read again')).toBe(true);
  });

  it('answers nothing before start, and listeners that throw do not stop the others', async () => {
    const ds = await openDatabase({ url });
    closing.push(() => ds.destroy());
    const log = recordingLogger();
    const b = new Switchboard(new SwitchStore(ds), null, log, { pollMs: 60_000 });
    closing.push(() => b.close());
    expect(() => b.state('hecto', 'transfers')).toThrow(/before start/);
    await b.start();
    const heard: string[] = [];
    b.onChange(() => {
      throw new Error('listener bug');
    });
    b.onChange(async () => {
      throw new Error('async listener bug');
    });
    const stop = b.onChange((n, from, to) => void heard.push(`${switchKey(n)} ${from}>${to}`));
    await b.set(parseSwitchName('zeta/notices'), 'hold', 'kim', 'check');
    stop();
    await b.set(parseSwitchName('zeta/notices'), 'off', 'kim', 'check more');
    await new Promise((r) => setTimeout(r, 10));
    expect(heard).toEqual(['zeta/notices on>hold']);
    expect(log.lines.filter((l) => l.event === 'switch change listener failed').map((l) => l.details?.['reason'])).toEqual(['listener bug', 'async listener bug', 'listener bug', 'async listener bug']);
  });
});
