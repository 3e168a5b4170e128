/**
 * A phone number as it may be shown anywhere but the consent evidence (API answers, logs, exports): its
 * last 4 digits, hyphens placed as Korean numbers are written (`010-****-5678`, `02-****-5678`). Takes the
 * number as digits only (the consent flow normalises the caller's form first).
 */
export function maskPhoneNumber(digits: string): string {
  const last = digits.slice(-4);
  const head = digits.startsWith('02') ? '02' : digits.slice(0, 3);
  const middle = digits.length - head.length - 4;
  return `${head}-${'*'.repeat(Math.max(middle, 3))}-${last}`;
}
