import type { CharsetName } from '../encoding/charset.js';

/**
 * Field kinds as Korean specs write them.
 * - `X`: text, left-justified, space-padded (X(n) / AN).
 * - `N`: digit string, right-justified, zero-padded; leading zeros are kept ("004") (9(n) / N).
 * - `amount`: unsigned decimal amount, digits only, optional implied decimals (`scale`).
 * - `date`: YYYYMMDD; `time`: hhmmss; `sign`: one byte, `+` or `-`.
 * - `filler`: always written as spaces; its content is not read.
 */
export type FieldType = 'X' | 'N' | 'amount' | 'date' | 'time' | 'sign' | 'filler';

export const FIELD_TYPES: readonly FieldType[] = ['X', 'N', 'amount', 'date', 'time', 'sign', 'filler'];

/** How a field's value is hidden in logs, errors and the console. */
export type MaskKind = 'account' | 'name' | 'secret';

export const MASK_KINDS: readonly MaskKind[] = ['account', 'name', 'secret'];

/** One field, with its offset in the whole telegram (derived by the loader, never written by hand). */
export interface FieldSpec {
  readonly name: string;
  readonly type: FieldType;
  /** Bytes in the spec's charset. */
  readonly length: number;
  readonly offset: number;
  /** Implied decimal places of an `amount`. */
  readonly scale: number;
  /** Written when the caller gives no value (wire text, e.g. "1"). */
  readonly default?: string;
  /** Always written, whatever the caller gives (wire text). */
  readonly value?: string;
  readonly mask?: MaskKind;
  /**
   * Text (X) only: control characters (C0, DEL) may be written. Off by default: a NUL, CR, LF, ESC or TAB
   * in a memo or a name is refused, never sent to a bank or stored.
   */
  readonly controls?: boolean;
  readonly description?: string;
}

/** Who sends a message first: the company (requests) or the bank (notices). */
export type Initiator = 'company' | 'bank';

/** A telegram layout (or a batch-file record), recognised by its key. */
export interface MessageSpec {
  readonly name: string;
  /** Who sends it, when it is one side of an exchange on a link. */
  readonly from?: Initiator;
  /** The message that answers this one (2000/100 → 2100/100), when it expects an answer. */
  readonly response?: string;
  /** Key field name → wire text, e.g. { messageCode: "2000", businessCode: "100" }. */
  readonly key: Readonly<Record<string, string>>;
  /** Total bytes, header included. */
  readonly length: number;
  /** Header then body, in wire order, with offsets. */
  readonly layout: readonly FieldSpec[];
  readonly description?: string;
}

/** How telegrams are delimited on a byte stream. */
export type Framing =
  | { readonly kind: 'length-prefix'; readonly digits: number; readonly maxLength: number }
  | { readonly kind: 'binary-length'; readonly bytes: 2 | 4; readonly maxLength: number }
  | { readonly kind: 'fixed'; readonly length: number; readonly maxLength: number };

/** Line polling of a session kept open while idle (Hecto: "HDR"+"REQPOLL"+MMDDhhmmss, answered "RESPOLL"). */
export interface PollingSpec {
  readonly idleSeconds: number;
  /** Text that starts a poll request frame; the rest of the frame is the send time, MMDDhhmmss. */
  readonly request: string;
  /** Text that starts the answer; the answer echoes the request's time unchanged. */
  readonly response: string;
}

/**
 * How a link uses the messages: which header fields pair a response with its request, carry the
 * 전문번호, dates and the response code, and which messages open and close the business day.
 * Field names refer to header fields of every message.
 */
export interface SessionSpec {
  /** Header fields that, with the response's message, identify the request it answers. */
  readonly match: readonly string[];
  readonly seqNo: string;
  readonly maxSeqNo: number;
  readonly sendDate: string;
  readonly sendTime: string;
  readonly responseCode: string;
  readonly companyId: string;
  readonly bankCode: string;
  readonly systemId?: string;
  /** Response codes meaning "done" for session messages (open, close, test call, notice replies). */
  readonly successCodes: readonly string[];
  /** Header fields copied unchanged from a bank's notice into our reply. */
  readonly echo: readonly string[];
  readonly open?: string;
  readonly close?: string;
  readonly testCall?: string;
  readonly polling?: PollingSpec;
}

/** A loaded, validated spec: everything the codec needs, nothing about sockets. */
export interface TelegramSpec {
  /** Where it was loaded from, for error messages. */
  readonly file: string;
  readonly institution: string;
  readonly title: string;
  readonly encoding: CharsetName;
  readonly framing: Framing;
  readonly header: readonly FieldSpec[];
  readonly messages: ReadonlyMap<string, MessageSpec>;
  /** Names of the fields that tell messages apart, in a fixed order (same offsets in every message). */
  readonly keyFields: readonly string[];
  /** How links use this spec; absent for specs of files (batch records). */
  readonly session?: SessionSpec;
}
