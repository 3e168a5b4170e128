import type { TelegramSpec } from '../spec/types.js';
import type { TrafficRecord } from './exchange.js';

/**
 * Builds the {@link TrafficRecord}s a link reports, with the 전문번호 and send date read straight from the
 * header bytes (they sit at the same place in every message), so that whoever keeps the telegrams need
 * not decode them again.
 */
export class TrafficStamper {
  private readonly seq: readonly [number, number] | null;
  private readonly date: readonly [number, number] | null;

  constructor(spec: TelegramSpec) {
    const layout = [...spec.messages.values()][0]!.layout;
    const range = (name: string | undefined) => {
      const f = name === undefined ? undefined : layout.find((x) => x.name === name);
      return f ? ([f.offset, f.offset + f.length] as const) : null;
    };
    this.seq = range(spec.session?.seqNo);
    this.date = range(spec.session?.sendDate);
  }

  record(direction: 'in' | 'out', message: string, raw: Buffer, kept = false): TrafficRecord {
    const seq = this.seq && raw.length >= this.seq[1] ? raw.toString('latin1', ...this.seq).trim() : '';
    const d = this.date && raw.length >= this.date[1] ? raw.toString('latin1', ...this.date) : '';
    return {
      direction,
      message,
      raw,
      at: new Date(),
      seqNo: seq === '' ? null : seq,
      sendDate: /^\d{8}$/.test(d) ? `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)}` : null,
      ...(kept ? { kept } : {}),
    };
  }
}
