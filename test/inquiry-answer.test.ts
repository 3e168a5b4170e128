import fc from 'fast-check';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { ResponseCodeTable } from '../src/codes/response-codes.js';
import type { Outcome } from '../src/codes/outcome.js';
import { loadConfig } from '../src/config/config.js';
import { BusinessHours } from '../src/institution/business-hours.js';
import { readInquiryAnswer } from '../src/flows/inquiry-answer.js';
import type { Requester } from '../src/flows/ports.js';
import { TransferFlow } from '../src/flows/transfer-flow.js';
import { openDatabase } from '../src/ledger/data-source.js';
import { Ledger } from '../src/ledger/ledger.js';
import { systemClock } from '../src/link/clock.js';
import type { LinkOutcome } from '../src/link/exchange.js';
import { silentLogger } from '../src/log/logger.js';
import { freshSqlite } from './helpers/gateway.js';
import { hecto } from './helpers/link.js';
import { hectoInstitution, hectoProfile } from './helpers/specs.js';

const codes = ResponseCodeTable.load();
/** Every row of the shipped table, bank `*` rows (the VAN's own codes) included. */
const rows = [...codes.rows()];
/** Header codes that speak for the transfer asked about: a refusal of the transaction, or "no record". */
const SPEAKS_FOR_TRANSFER: readonly Outcome[] = ['rejected', 'no-such-transaction'];

describe('a result inquiry answer is read only for what it answers (issue 7, defect 1)', () => {
  it('covers the whole table: every header code that is not a refusal of the transfer, with a blank 처리결과, says nothing about it', () => {
    expect(rows.length).toBeGreaterThan(10_000);
    let silent = 0;
    for (const r of rows) {
      const bank = r.bank === '*' ? '004' : r.bank;
      if (r.code === '0000') continue; // the inquiry went through: see the next test
      const read = readInquiryAnswer(codes, hecto.spec.session!.successCodes, bank, r.code, '    ');
      const speaks = SPEAKS_FOR_TRANSFER.includes(codes.lookup(bank, r.code).outcome);
      expect(typeof read === 'string', `${bank} ${r.code} ${r.outcome} ${r.message}`).toBe(!speaks);
      if (!speaks) silent++;
    }
    expect(silent).toBeGreaterThan(0);
  });

  it('0000 with a blank 처리결과 proves nothing; with one, 처리결과 is the answer', () => {
    expect(typeof readInquiryAnswer(codes, ['0000'], '004', '0000', '    ')).toBe('string');
    expect(readInquiryAnswer(codes, ['0000'], '004', '0000', '0133')).toMatchObject({ code: '0133' });
    expect(readInquiryAnswer(codes, ['0000'], '004', '0000', 'NREC')).toMatchObject({ outcome: 'no-such-transaction' });
  });

  describe('through the transfer flow and a real ledger', () => {
    let ds: DataSource;
    let ledger: Ledger;
    let flow: TransferFlow;
    let answer: Buffer;
    const link: Requester = {
      request: async (message) => {
        const request = { message, seqNo: '000001', sendDate: '2026-11-25', raw: Buffer.alloc(0), key: '' };
        return { status: 'answered', request, response: hecto.decode(answer), responseRaw: answer, responseCode: String(hecto.decode(answer).fields['responseCode']) } as unknown as LinkOutcome;
      },
    };
    const asked: string[] = [];

    beforeAll(async () => {
      ds = await openDatabase({ url: freshSqlite() });
      ledger = new Ledger(ds);
      const institution = { ...loadConfig({}).institutions[0]!, inquiryMaxAttempts: 1_000_000 };
      flow = new TransferFlow({
        institution, profile: hectoProfile, codec: hecto, ledger, link, codes, clock: systemClock, logger: silentLogger,
        queue: { send: async () => {}, inquire: async (id) => void asked.push(id) },
        hours: hectoInstitution.hours,
      });
    });
    afterAll(async () => ds?.destroy());

    /** An unknown transfer of `bank`, as a lost answer leaves it: its telegram went out an hour ago. */
    async function unknownTransfer(bank: string, n: number) {
      const { transfer } = await ledger.createTransfer({
        service: 'prop', requestId: `p-${n}`, requestHash: 'h', institution: 'hecto', bankCode: bank, companyId: 'FIRMBANK01',
        withdrawAccount: '12345678901234', depositBankCode: '088', depositAccount: '110123456789', amount: new Decimal(1000), memo: '', recipientName: '',
      });
      const sent = { seqNo: String(n % 900_000).padStart(6, '0'), sendDate: '2026-11-25' };
      await ledger.move(transfer.id, 'requested', 'sending', 'test', sent);
      await ledger.recordTelegram({ transferId: transfer.id, institution: 'hecto', direction: 'out', message: 'transfer.request', ...sent, raw: Buffer.alloc(0), at: new Date(Date.now() - 3_600_000) });
      await ledger.move(transfer.id, 'sending', 'unknown', 'test: no answer');
      return transfer.id;
    }

    let n = 0;
    /** Asks about a new unknown transfer and gets `r`'s code in the header, 처리결과 blank. */
    async function answeredWith(r: (typeof rows)[number]): Promise<void> {
      const bank = r.bank === '*' ? '004' : r.bank;
      const id = await unknownTransfer(bank, ++n);
      answer = hecto.encode('resultInquiry.response', { companyId: 'FIRMBANK01', bankCode: bank, seqNo: '000001', sendDate: '2026-11-25', sendTime: '10:00:00', responseCode: r.code, originalSeqNo: '1' });
      await flow.inquire(id);
      const t = (await ledger.get(id))!;
      const meaning = codes.lookup(bank, r.code).outcome;
      if (meaning === 'rejected') expect(t.state, `${bank} ${r.code}`).toBe('failed');
      else if (meaning === 'no-such-transaction') expect(t, `${bank} ${r.code}`).toMatchObject({ state: 'unknown', noRecordAnswers: 1 });
      else expect(t.state, `${bank} ${r.code} (${meaning})`).toBe('unknown');
    }

    it('for any code of the table in the header of a 7100/100 with a blank 처리결과, the transfer stays unknown unless the code refuses the transaction', async () => {
      await fc.assert(fc.asyncProperty(fc.constantFrom(...rows.filter((r) => r.code !== '0000')), answeredWith), { numRuns: 300 });
    }, 60_000);

    it('every "no record" code of the table counts as one such answer (too few for the sample above to meet every time)', async () => {
      const noRecord = rows.filter((r) => codes.lookup(r.bank === '*' ? '004' : r.bank, r.code).outcome === 'no-such-transaction');
      expect(noRecord.length).toBeGreaterThan(10);
      for (const r of noRecord) await answeredWith(r);
    }, 60_000);
  });
});
