import type { DataSource } from 'typeorm';
import { SequenceExhaustedError, type SeqNo, type SeqScope, type SequenceSource } from '../link/sequence.js';
import { inTransaction } from './writes.js';

/**
 * 전문번호 from the database, unique per (date, bank, company) across restarts and gateway processes.
 * Each process reserves a block of numbers with one atomic UPDATE … RETURNING and hands them out from
 * memory; numbers of a block left unused when a process stops are skipped, never reused.
 */
export class DbSequenceSource implements SequenceSource {
  private readonly blocks = new Map<string, { next: number; end: number }>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly postgres: boolean;

  constructor(
    private readonly ds: DataSource,
    private readonly blockSize = 100,
  ) {
    this.postgres = ds.options.type === 'postgres';
  }

  next(scope: SeqScope): Promise<SeqNo> {
    const key = `${scope.date}|${scope.bankCode}|${scope.companyId}`;
    const block = this.blocks.get(key);
    if (block && block.next < block.end) return Promise.resolve(block.next++ as SeqNo);
    // One reservation at a time per scope within this process; the database orders processes.
    const run = (this.locks.get(key) ?? Promise.resolve()).then(() => this.take(key, scope));
    this.locks.set(key, run.catch(() => undefined));
    return run;
  }

  private async take(key: string, scope: SeqScope): Promise<SeqNo> {
    let block = this.blocks.get(key);
    if (!block || block.next >= block.end) {
      block = await this.reserve(scope);
      this.blocks.set(key, block);
      for (const k of this.blocks.keys()) if (!k.startsWith(scope.date)) this.blocks.delete(k);
    }
    return block.next++ as SeqNo;
  }

  private async reserve(scope: SeqScope): Promise<{ next: number; end: number }> {
    const p = this.postgres ? ['$1', '$2', '$3', '$4'] : ['?', '?', '?', '?'];
    const rows = await inTransaction(this.ds, async (m) => {
      await m.query(`INSERT INTO sequences (scope_date, bank_code, company_id, next_value) VALUES (${p[0]}, ${p[1]}, ${p[2]}, 1) ON CONFLICT DO NOTHING`, [
        scope.date,
        scope.bankCode,
        scope.companyId,
      ]);
      return (await m.query(`UPDATE sequences SET next_value = next_value + ${p[0]} WHERE scope_date = ${p[1]} AND bank_code = ${p[2]} AND company_id = ${p[3]} RETURNING next_value`, [
        this.blockSize,
        scope.date,
        scope.bankCode,
        scope.companyId,
      ])) as { next_value: number | string }[] | [{ next_value: number | string }[], number];
    });
    const row = Array.isArray(rows[0]) ? rows[0][0] : (rows as { next_value: number | string }[])[0];
    const end = Number(row!.next_value); // exclusive
    const start = end - this.blockSize;
    if (start > scope.max) throw new SequenceExhaustedError(scope);
    return { next: start, end: Math.min(end, scope.max + 1) };
  }
}
