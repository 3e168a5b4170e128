import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { FirmbankError } from '../errors/firmbank-error.js';

type Weekday = 'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat';
const WEEKDAYS: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface Window {
  readonly from: number;
  readonly to: number;
  readonly applies: (d: KstDay) => boolean;
  readonly text: string;
}

interface Hours {
  readonly name: string;
  readonly open: number;
  readonly close: number;
  readonly maintenance: readonly Window[];
}

interface KstDay {
  readonly weekday: Weekday;
  /** 1-based: the nth such weekday of the month. */
  readonly nth: number;
  readonly minute: number;
}

/** Why a bank cannot take a transfer now (closed, or in maintenance). */
export class BankClosedError extends FirmbankError {
  constructor(readonly bankCode: string, detail: string) {
    super('FB_BANK_CLOSED', `bank ${bankCode} is not taking transfers now: ${detail}`);
  }
}

function minutes(text: unknown, where: string): number {
  const m = typeof text === 'string' ? /^(\d{2}):(\d{2})$/.exec(text) : null;
  const v = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (!(v >= 0 && v <= 24 * 60)) throw new FirmbankError('FB_HOURS_INVALID', `${where}: "${String(text)}" is not a time hh:mm`);
  return v;
}

/**
 * Business hours and maintenance windows per institution code, from data (specs/hours/*.yaml), in KST.
 * An institution the file does not list is refused: better a clear error than a transfer into a closed bank.
 */
export class BusinessHours {
  private constructor(private readonly table: ReadonlyMap<string, Hours>) {}

  static load(file: string): BusinessHours {
    const raw = parse(readFileSync(file, 'utf8')) as { institutions?: Record<string, Record<string, unknown>> } | null;
    const listed = raw?.institutions;
    if (typeof listed !== 'object' || listed === null || Array.isArray(listed)) throw new FirmbankError('FB_HOURS_INVALID', `${file}: expected a mapping \`institutions:\` of bank code → hours`);
    const table = new Map<string, Hours>();
    for (const [code, h] of Object.entries(listed)) {
      const where = `${file}: ${code}`;
      const windows = ((h['maintenance'] as Record<string, unknown>[] | undefined) ?? []).map((w, i): Window => {
        const at = `${where} maintenance[${i}]`;
        const from = minutes(w['from'], at);
        const to = minutes(w['to'], at);
        let applies: (d: KstDay) => boolean;
        if (w['daily'] === true) applies = () => true;
        else if (WEEKDAYS.includes(w['weekly'] as Weekday)) applies = (d) => d.weekday === w['weekly'];
        else if (typeof w['monthly'] === 'object' && w['monthly'] !== null) {
          const { nth, weekday } = w['monthly'] as { nth: number; weekday: Weekday };
          if (!WEEKDAYS.includes(weekday) || !(nth >= 1 && nth <= 5)) throw new FirmbankError('FB_HOURS_INVALID', `${at}: monthly needs nth 1–5 and a weekday`);
          applies = (d) => d.weekday === weekday && d.nth === nth;
        } else throw new FirmbankError('FB_HOURS_INVALID', `${at}: needs daily, weekly or monthly`);
        return { from, to, applies, text: JSON.stringify(w) };
      });
      table.set(code, { name: String(h['name'] ?? code), open: minutes(h['open'], where), close: minutes(h['close'], where), maintenance: windows });
    }
    return new BusinessHours(table);
  }

  /** Throws {@link BankClosedError} unless `bankCode` takes transfers at `at`. */
  check(bankCode: string, at: Date): void {
    const h = this.table.get(bankCode);
    if (!h) throw new BankClosedError(bankCode, 'no business hours are known for it');
    const k = new Date(at.getTime() + 9 * 3600_000);
    const day: KstDay = { weekday: WEEKDAYS[k.getUTCDay()]!, nth: Math.floor((k.getUTCDate() - 1) / 7) + 1, minute: k.getUTCHours() * 60 + k.getUTCMinutes() };
    const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    if (day.minute < h.open || day.minute >= h.close) throw new BankClosedError(bankCode, `${h.name} is open ${hhmm(h.open)}–${hhmm(h.close)} KST`);
    for (const w of h.maintenance) {
      if (w.applies(day) && day.minute >= w.from && day.minute < w.to) throw new BankClosedError(bankCode, `${h.name} maintenance ${hhmm(w.from)}–${hhmm(w.to)} KST`);
    }
  }
}
