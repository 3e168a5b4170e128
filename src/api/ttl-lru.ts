/**
 * A bounded map whose entries expire: at most `maxSize` entries, each alive until its own deadline.
 * A `Map` iterates in insertion order, so re-inserting an entry on use makes the first key the least
 * recently used one: that is the entry evicted when the map is full. Memory is bounded whatever callers
 * present (the API keeps one of these per unauthenticated input, so it must be).
 */
export class TtlLru<K, V> {
  private readonly entries = new Map<K, { value: V; until: number }>();

  constructor(private readonly maxSize: number) {
    if (!Number.isSafeInteger(maxSize) || maxSize < 1) throw new RangeError(`TtlLru: maxSize must be a positive integer, got ${maxSize}`);
  }

  /** Entries held now (expired ones included until they are looked up or pushed out). */
  get size(): number {
    return this.entries.size;
  }

  /** The live value for `key` (marked as recently used), or undefined when absent or expired. */
  get(key: K, now = Date.now()): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    if (e.until <= now) return undefined;
    this.entries.set(key, e);
    return e.value;
  }

  /** Stores `value` for `ttlMs`; evicts the least recently used entry when full. */
  set(key: K, value: V, ttlMs: number, now = Date.now()): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxSize) this.entries.delete(this.entries.keys().next().value as K);
    this.entries.set(key, { value, until: now + ttlMs });
  }

  /** Removes every entry whose value matches (e.g. all cache entries of a revoked key). */
  deleteWhere(matches: (value: V) => boolean): void {
    for (const [k, e] of this.entries) if (matches(e.value)) this.entries.delete(k);
  }
}
