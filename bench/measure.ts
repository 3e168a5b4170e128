/** Runs `fn` in rounds of `batch` calls after a warm-up; returns the median rate in calls per second. */
export function opsPerSecond(fn: () => unknown, batch = 100_000, rounds = 7): number {
  for (let i = 0; i < batch; i++) fn();
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn();
    const ns = Number(process.hrtime.bigint() - t0);
    rates.push((batch * 1e9) / ns);
  }
  rates.sort((a, b) => a - b);
  return rates[Math.floor(rates.length / 2)]!;
}

export function formatRate(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}
