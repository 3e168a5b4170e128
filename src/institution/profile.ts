import type { FieldInput, Fields } from '../codec/values.js';
import type { TelegramSpec } from '../spec/types.js';
import type { BankCodeMap } from './bank-code-map.js';
import { OPERATIONS, type OperationName } from './operations.js';
import { UnreachableBankError } from './unreachable-bank-error.js';
import { UnsupportedOperationError } from './unsupported-operation-error.js';

/** Which message carries an operation: one, or one per kind of receiving bank (당행 / 타행). */
export type OperationMessages = { readonly single: string } | { readonly ownBank: string; readonly otherBank: string };

/** One operation as an institution's profile binds it. */
export interface OperationBinding {
  readonly operation: OperationName;
  readonly messages: OperationMessages;
  /** Canonical field → spec field, on the side that starts the exchange. */
  readonly request: Readonly<Record<string, string>>;
  /** Canonical field → spec field of the response layout. */
  readonly answer: Readonly<Record<string, string>>;
  /** Spec field → wire text written on every request of this operation. */
  readonly values: Readonly<Record<string, string>>;
  /**
   * Why the answer's layout is not confirmed against the institution's own specification, when it is not:
   * flows then keep the answer but never settle money by it (an operator reads it).
   */
  readonly unconfirmed?: string;
}

export type Side = 'request' | 'answer';

/** One canonical field of one side of an operation, and the spec field it travels in. */
interface Mapping {
  readonly canonical: string;
  readonly field: string;
  /** A bank code: it changes width at the edge. */
  readonly bank: boolean;
}

/**
 * An institution described by data: its spec, and how the engine's operations and canonical fields map
 * onto that spec's messages and field names. Flows speak canonical fields only; this is where they become
 * a telegram's fields and back, bank codes changing width on the way.
 */
export class InstitutionProfile {
  private readonly byMessage = new Map<string, { operation: OperationName; side: Side }>();
  /** Per `operation|side`, worked out once: telegrams are mapped on every request and answer. */
  private readonly mappings = new Map<string, readonly Mapping[]>();

  constructor(
    /** Where it was loaded from, for error messages. */
    readonly file: string,
    readonly institution: string,
    readonly spec: TelegramSpec,
    readonly bankCodes: BankCodeMap,
    readonly operations: ReadonlyMap<OperationName, OperationBinding>,
    /** Response codes the simulator answers with when it plays this institution (overrides its defaults). */
    readonly simulatorCodes: Readonly<Record<string, string>> = {},
  ) {
    for (const b of operations.values()) {
      for (const side of ['request', 'answer'] as const) {
        const vocab = OPERATIONS[b.operation][side] as Readonly<Record<string, { kind: string }>>;
        this.mappings.set(`${b.operation}|${side}`, Object.entries(b[side]).map(([canonical, field]) => ({ canonical, field, bank: vocab[canonical]?.kind === 'bankCode' })));
      }
      for (const m of messagesOf(b)) {
        this.byMessage.set(m, { operation: b.operation, side: 'request' });
        const response = spec.messages.get(m)?.response;
        if (response) this.byMessage.set(response, { operation: b.operation, side: 'answer' });
      }
    }
  }

  /** 전문번호 digits and the daily maximum, as the spec says. */
  get seqNo(): { readonly width: number; readonly max: number } {
    const session = this.spec.session!;
    const field = this.spec.header.find((f) => f.name === session.seqNo)!;
    return { width: field.length, max: session.maxSeqNo };
  }

  supports(operation: OperationName): boolean {
    return this.operations.has(operation);
  }

  binding(operation: OperationName): OperationBinding {
    const b = this.operations.get(operation);
    if (!b) throw new UnsupportedOperationError(this.institution, operation);
    return b;
  }

  /**
   * The message that carries `operation`. When the profile splits it by receiving bank (당행 / 타행), the
   * receiving bank and our contracted bank (both KFTC codes) choose.
   */
  message(operation: OperationName, banks?: { readonly receiving: string; readonly contracted: string }): string {
    const m = this.binding(operation).messages;
    if ('single' in m) return m.single;
    if (!banks) throw new Error(`${this.institution} ${operation}: the receiving bank chooses the message`);
    return banks.receiving === banks.contracted ? m.ownBank : m.otherBank;
  }

  /** The operation and side a message of this spec belongs to, if the profile binds it. */
  operationOf(message: string): { readonly operation: OperationName; readonly side: Side } | undefined {
    return this.byMessage.get(message);
  }

  /**
   * Canonical fields → the telegram's fields, for one side of an operation. A canonical field the
   * institution has no place for is left out (its telegram cannot carry it); a bank code it cannot
   * express is an {@link UnreachableBankError}, never a guess.
   */
  toWire(operation: OperationName, side: Side, canonical: Readonly<Record<string, FieldInput>>): Record<string, FieldInput> {
    const out: Record<string, FieldInput> = side === 'request' ? { ...this.binding(operation).values } : {};
    for (const m of this.mappingsOf(operation, side)) {
      const value = canonical[m.canonical];
      if (value === undefined) continue;
      out[m.field] = m.bank && typeof value === 'string' && value !== '' ? this.wireBank(value) : value;
    }
    return out;
  }

  /** A telegram's fields → canonical fields, for one side of an operation (bank codes as KFTC codes). */
  fromWire(operation: OperationName, side: Side, fields: Fields): Record<string, Fields[string]> {
    const out: Record<string, Fields[string]> = {};
    for (const m of this.mappingsOf(operation, side)) {
      const v = fields[m.field] ?? null;
      out[m.canonical] = m.bank && typeof v === 'string' && v !== '' ? this.bankCodes.fromWire(v) : v;
    }
    return out;
  }

  private mappingsOf(operation: OperationName, side: Side): readonly Mapping[] {
    const m = this.mappings.get(`${operation}|${side}`);
    if (!m) throw new UnsupportedOperationError(this.institution, operation);
    return m;
  }

  /** The wire form of a KFTC bank code (the contracted bank in the header, a receiving bank in a body). */
  wireBank(kftc: string): string {
    const wire = this.bankCodes.toWire(kftc);
    if (wire === undefined) throw new UnreachableBankError(this.institution, kftc);
    return wire;
  }
}

/** Every message that carries an operation (one, or 당행 and 타행). */
export function messagesOf(b: Pick<OperationBinding, 'messages'>): string[] {
  return 'single' in b.messages ? [b.messages.single] : [b.messages.ownBank, b.messages.otherBank];
}
