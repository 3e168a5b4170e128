import { describe, expect, it } from 'vitest';
import { ResponseCodeTable } from '../src/codes/response-codes.js';

const table = ResponseCodeTable.load();

describe('per-bank response codes', () => {
  it('holds every row of the source list (10,460 less 4 duplicates after padding) plus the VAN codes', () => {
    expect(table.size).toBe(10456 + 14);
  });

  it('pads codes that lost their leading zeros, per bank', () => {
    expect(table.lookup('004', '0000')).toMatchObject({ outcome: 'success', listed: true });
    expect(table.lookup('034', '0100')).toMatchObject({ outcome: 'no-such-transaction', message: expect.stringContaining('원거래가 없습니다') });
  });

  it('classifies processing, unknown and refusals', () => {
    expect(table.lookup('004', '7430').outcome).toBe('processing'); // 개설은행 이체처리중
    expect(table.lookup('005', 'TOUT').outcome).toBe('unknown'); // TIME OVER
    expect(table.lookup('020', 'A233').outcome).toBe('rejected'); // 신규처리중으로 거래불가
    expect(table.lookup('007', 'NREC').outcome).toBe('unknown'); // 수협's NREC says: check the account
  });

  it("falls back to the VAN's own codes, and treats an unlisted code as unknown, never as a refusal", () => {
    expect(table.lookup('088', 'VTIM').outcome).toBe('unknown');
    expect(table.lookup('088', 'NREC').outcome).toBe('no-such-transaction');
    expect(table.lookup('088', 'SB09').outcome).toBe('rejected');
    expect(table.lookup('088', 'ZZZZ')).toMatchObject({ outcome: 'unknown', listed: false });
  });
});
