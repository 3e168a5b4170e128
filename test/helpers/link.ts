import { join } from 'node:path';
import { TelegramCodec } from '../../src/codec/telegram-codec.js';
import { BankLink, type BankLinkOptions } from '../../src/link/bank-link.js';
import { MemorySequenceSource } from '../../src/link/sequence.js';
import type { Logger } from '../../src/log/logger.js';
import { loadSpecFile } from '../../src/spec/load-spec.js';
import { BankSimulator } from '../../src/sim/bank-simulator.js';
import { hectoProfile, ROOT } from './specs.js';

export const hecto = new TelegramCodec(loadSpecFile(join(ROOT, 'specs/hecto.yaml')));

/** A logger that remembers what it was told, for assertions. */
export function recordingLogger(): Logger & { events: { level: string; event: string; details?: Record<string, unknown> }[] } {
  const events: { level: string; event: string; details?: Record<string, unknown> }[] = [];
  const at = (level: string) => (event: string, details?: Record<string, unknown>) => void events.push({ level, event, ...(details ? { details } : {}) });
  return { events, info: at('info'), warn: at('warn'), error: at('error') };
}

export async function startSim(): Promise<{ sim: BankSimulator; port: number }> {
  const sim = new BankSimulator({ codec: hecto, profile: hectoProfile });
  return { sim, port: await sim.listen() };
}

export function linkTo(port: number, extra: Partial<BankLinkOptions> = {}): BankLink {
  return new BankLink({
    codec: hecto,
    host: '127.0.0.1',
    port,
    companyId: 'FIRM01',
    bankCode: '004',
    sequence: new MemorySequenceSource(),
    requestTimeoutMs: 2_000,
    backoff: { initialMs: 20, maxMs: 200 },
    tickMs: 10,
    ...extra,
  }).start();
}

export const TRANSFER = {
  withdrawAccount: '12345678901234',
  amount: '15000',
  depositBankCode: '088',
  depositAccount: '110123456789',
  memo: '급여',
  depositHolderName: '홍길동',
};

export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
