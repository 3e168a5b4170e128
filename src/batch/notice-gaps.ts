/**
 * The notice numbers missing from a day's sequence: banks number each kind of notice from 1 every day,
 * so every number below the highest one received must be there. (A gap after the last one received
 * cannot be seen from the numbers alone; the day totals catch what it hides.)
 */
export function missingNumbers(received: Iterable<number>): number[] {
  const seen = new Set<number>();
  let highest = 0;
  for (const n of received) {
    seen.add(n);
    if (n > highest) highest = n;
  }
  const missing: number[] = [];
  for (let n = 1; n < highest; n++) if (!seen.has(n)) missing.push(n);
  return missing;
}
