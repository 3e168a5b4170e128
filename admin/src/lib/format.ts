import type { Translate } from '../i18n';

/** A decimal string of won with thousands separators (exact: no trip through a float). */
export function groupDigits(amount: string | null | undefined): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  const [whole = '', frac] = amount.split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  const digits = sign ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${grouped}${frac ? `.${frac}` : ''}`;
}

export function won(t: Translate, amount: string | null | undefined): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  return t('common.won', { amount: groupDigits(amount) });
}

const pad = (n: number) => String(n).padStart(2, '0');

/** An ISO date-time in the browser's zone, as YYYY-MM-DD HH:mm:ss. */
export function dateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function timeOfDay(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** How long ago, in minutes, hours or days. */
export function age(t: Translate, iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '—';
  const ms = now - new Date(iso).getTime();
  if (Number.isNaN(ms)) return '—';
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return t('common.ageMinutes', { m: minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t('common.ageHours', { h: hours, m: minutes % 60 });
  return t('common.ageDays', { d: Math.floor(hours / 24), h: hours % 24 });
}

/** JSON for the audit log's before/after, or a dash. */
export function json(value: unknown): string {
  if (value === undefined || value === null) return '—';
  try {
    return JSON.stringify(value, null, 2);
  } catch {
    return String(value);
  }
}
