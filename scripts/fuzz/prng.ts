/**
 * A small seeded PRNG (mulberry32). Each fuzz input is generated from `reset(seed, index)` alone, so any
 * input of a run can be rebuilt from its seed and index without replaying the inputs before it (a hung
 * input is rebuilt that way by the watchdog; a crasher's seed and index repeat it).
 */
export class Prng {
  private state = 0;

  /** Starts the stream of input `index` of the run `seed`. */
  reset(seed: number, index: number): this {
    // Two rounds of murmur3's finaliser: neighbouring indexes get unrelated streams.
    this.state = fmix(fmix(seed ^ 0x5bd1e995) ^ Math.imul(index | 0, 0x9e3779b1) ^ Math.floor(index / 0x100000000));
    return this;
  }

  /** A uniform 32-bit unsigned integer. */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** An integer in [0, n). */
  below(n: number): number {
    return Math.floor((this.next() / 0x100000000) * n);
  }

  /** An integer in [min, max]. */
  between(min: number, max: number): number {
    return min + this.below(max - min + 1);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p * 0x100000000;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }

  /** 1 + a geometric count (1 half the time, 2 a quarter …), capped: how many mutations to stack. */
  count(max: number): number {
    let n = 1;
    while (n < max && this.next() < 0x80000000) n++;
    return n;
  }
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}
