import type { Random } from './prng.js';

/** The body of POST /v1/transfers. */
export interface TransferBody {
  readonly requestId: string;
  readonly bankCode: string;
  readonly account: string;
  readonly amount: string;
  readonly memo: string;
  readonly recipientName: string;
}

/** One planned transfer and how its caller exercises idempotency. */
export interface PlannedTransfer {
  readonly body: TransferBody;
  /** `again`: the same request once more after the first answer; `race`: twice at the same time. */
  readonly repeat: 'none' | 'again' | 'race';
  /** Also sends this requestId with another amount, which must be refused (409) and create nothing. */
  readonly conflict: boolean;
  /** `Prefer: wait=N` seconds on the first call (0: answered at once, 202). */
  readonly waitS: number;
}

/**
 * Payees of the simulator's books (README): the three payees and the parent account itself. At 004 (the
 * contracted bank) the account must exist there; at 088 any account is taken, with a 500 won fee.
 */
const PAYEES = [
  { account: '110123456789', name: '홍길동' },
  { account: '110987654321', name: '김철수' },
  { account: '22233344455', name: '이영희' },
  { account: '12345678901234', name: '' },
] as const;

/** Not in the simulator's books: at 004 the bank refuses it (0122), so some transfers fail for real. */
const NO_SUCH_ACCOUNT = '999888777666';

const MEMOS = ['급여', '대금', '카오스', 'chaos', ''];

/** The N transfers of a run, all drawn from `random` before anything starts. */
export function planTransfers(random: Random, n: number, seed: number): PlannedTransfer[] {
  return Array.from({ length: n }, (_, i): PlannedTransfer => {
    const bankCode = random.chance(0.5) ? '004' : '088';
    const payee = random.pick(PAYEES);
    const unknownAccount = bankCode === '004' && random.chance(0.03);
    // Mostly small amounts, a few large ones: the parent account's billion lasts some 15,000 transfers.
    const amount = random.chance(0.98) ? random.int(1, 100_000) : random.int(100_001, 1_000_000);
    const r = random.next();
    return {
      body: {
        requestId: `chaos-${seed}-${i}`,
        bankCode,
        account: unknownAccount ? NO_SUCH_ACCOUNT : payee.account,
        amount: String(amount),
        memo: random.pick(MEMOS),
        recipientName: unknownAccount ? '' : payee.name,
      },
      repeat: r < 0.08 ? 'again' : r < 0.12 ? 'race' : 'none',
      conflict: random.chance(0.02),
      waitS: random.chance(0.3) ? random.int(1, 3) : 0,
    };
  });
}
