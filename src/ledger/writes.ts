import type { DataSource, EntityManager } from 'typeorm';

const chains = new WeakMap<DataSource, Promise<unknown>>();

/**
 * Runs `fn` in a transaction. On SQLite (one connection) transactions are run one after another: two
 * overlapping ones would nest ("cannot start a transaction within a transaction"), and a plain write
 * issued while another transaction is open would silently join it. Every ledger write goes through here.
 */
export function inTransaction<T>(ds: DataSource, fn: (m: EntityManager) => Promise<T>): Promise<T> {
  if (ds.options.type === 'postgres') return ds.transaction(fn);
  const run = (chains.get(ds) ?? Promise.resolve()).then(() => ds.transaction(fn));
  chains.set(
    ds,
    run.catch(() => undefined),
  );
  return run;
}
