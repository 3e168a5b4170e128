import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CircuitBreaker, type BreakerState } from '../src/link/circuit-breaker.js';
import { GuardedLink, type RawRequester } from '../src/link/guarded-link.js';
import type { LinkOutcome, SentTelegram } from '../src/link/exchange.js';

type Step =
  | { kind: 'answered' }
  | { kind: 'failed' }
  | { kind: 'wait'; ms: number }
  | { kind: 'probe'; ok: boolean };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.constant<Step>({ kind: 'answered' }),
  fc.constant<Step>({ kind: 'failed' }),
  fc.integer({ min: 0, max: 2_000 }).map((ms): Step => ({ kind: 'wait', ms })),
  fc.boolean().map((ok): Step => ({ kind: 'probe', ok })),
);

describe('CircuitBreaker (a model-based property)', () => {
  it('opens exactly at the threshold of consecutive failures, admits traffic only when closed, probes only after the open time, and closes only on an answered probe', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 1_500 }), fc.array(step, { maxLength: 80 }), (failures, openMs, steps) => {
        let now = 0;
        const b = new CircuitBreaker({ failures, openMs }, () => now);
        const moves: [BreakerState, BreakerState][] = [];
        b.onChange((from, to) => moves.push([from, to]));
        // The model: what the breaker must be after each step.
        let state: BreakerState = 'closed';
        let streak = 0;
        let openedAt = 0;
        for (const s of steps) {
          if (s.kind === 'wait') now += s.ms;
          if (s.kind === 'answered') {
            b.answered();
            if (state === 'closed') streak = 0;
          }
          if (s.kind === 'failed') {
            b.failed('x');
            if (state === 'closed' && ++streak >= failures) {
              state = 'open';
              openedAt = now;
            }
          }
          if (s.kind === 'probe') {
            const due = state === 'open' && now - openedAt >= openMs;
            expect(b.beginProbe()).toBe(due);
            if (due) {
              b.probeEnded(s.ok, 'probe');
              state = s.ok ? 'closed' : 'open';
              if (s.ok) streak = 0;
              else openedAt = now;
            }
          }
          expect(b.state).toBe(state);
          // Business traffic goes only through a closed breaker.
          expect(b.blockedForMs() === 0).toBe(state === 'closed');
        }
        // Never straight from closed to half-open, never from open to closed without a probe.
        for (const [from, to] of moves) {
          expect([from, to]).not.toEqual(['closed', 'half-open']);
          expect([from, to]).not.toEqual(['open', 'closed']);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('refuses settings that cannot work', () => {
    expect(() => new CircuitBreaker({ failures: 0, openMs: 10 })).toThrow(/failures/);
    expect(() => new CircuitBreaker({ failures: 2, openMs: -1 })).toThrow(/openMs/);
  });
});

describe('GuardedLink', () => {
  const sent: SentTelegram = { message: 'm', seqNo: '000001', sendDate: '2026-12-02', raw: Buffer.alloc(0), writtenAt: new Date() };
  const scripted = (outcomes: LinkOutcome[]): RawRequester & { calls: string[] } => {
    const calls: string[] = [];
    return {
      calls,
      request: async (message) => {
        calls.push(message);
        return outcomes.shift() ?? { status: 'not-sent', reason: 'script ended' };
      },
    };
  };

  it('counts unanswered requests and missing links, not a telegram that could not be kept; once open, writes nothing and probes with the test call alone', async () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failures: 2, openMs: 1_000 }, () => now);
    const raw = scripted([
      { status: 'not-sent', reason: 'keeping failed', request: sent, cause: 'before-send' },
      { status: 'unknown', reason: 'no answer within the timeout', request: sent },
      { status: 'not-sent', reason: 'link not ready' },
      { status: 'answered', request: sent, response: { message: 'test.response', fields: {} } as never, responseRaw: Buffer.alloc(0), responseCode: '0000' },
    ]);
    const link = new GuardedLink(raw, breaker, { message: 'test.request', successCodes: ['0000'], timeoutMs: 100 });
    await link.request('transfer', {});
    expect(breaker.failures).toBe(0); // our own store failed: says nothing of the bank
    await link.request('transfer', {});
    await link.request('transfer', {});
    expect(breaker.state).toBe('open');
    const refused = await link.request('transfer', {});
    expect(refused).toMatchObject({ status: 'not-sent', cause: 'breaker' });
    expect(raw.calls).toEqual(['transfer', 'transfer', 'transfer']);
    expect(link.blockedFor()?.retryInMs).toBeGreaterThan(0);

    await link.probeIfDue(); // not due yet
    expect(raw.calls).toHaveLength(3);
    now += 1_000;
    await link.probeIfDue();
    expect(raw.calls).toEqual(['transfer', 'transfer', 'transfer', 'test.request']);
    expect(breaker.state).toBe('closed');
    expect(link.blockedFor()).toBeNull();
  });

  it('stays open when the test call is answered with a failure code', async () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failures: 1, openMs: 10 }, () => now);
    const raw = scripted([
      { status: 'unknown', reason: 'timeout', request: sent },
      { status: 'answered', request: sent, response: { message: 'test.response', fields: {} } as never, responseRaw: Buffer.alloc(0), responseCode: '9999' },
    ]);
    const link = new GuardedLink(raw, breaker, { message: 'test.request', successCodes: ['0000'], timeoutMs: 100 });
    await link.request('transfer', {});
    now += 10;
    await link.probeIfDue();
    expect(breaker.state).toBe('open');
  });
});
