import { MASK_DEPTH, maskRuleOf } from './masked-keys.js';
import { maskValue } from './mask-value.js';

/**
 * `details` with the value of every masked key (see MASKED_KEYS and MASKED_SUFFIXES) masked by its rule,
 * at the top level and down to MASK_DEPTH objects or arrays: an account keeps its last 4 characters, a
 * secret becomes `[redacted]`, free text is scrubbed. Masked rather than replaced by one fixed word, so a
 * line still says which account it was about.
 *
 * Nothing is changed in place: an object that holds a masked key is copied, the objects around it too,
 * and the rest is shared; details with nothing to mask come back as they are, without a copy.
 *
 * jsonLogger runs it as pino's `formatters.log` (on every line, context fields included) and on a child's
 * bindings, instead of pino's `redact` option: pino 10's redaction by path took about 100 µs a line with
 * the wildcard paths this needs (every key at three depths), against 1–2 µs for the line itself. One
 * walk over the details, one map lookup per key, adds about 1 µs, and can match key suffixes
 * (`*Account`), which paths cannot.
 *
 * What is walked: plain objects, arrays and class instances without `toJSON` (JSON writes their own
 * fields). Not walked: Errors (the `err` serializer writes them, scrubbed) and values with `toJSON`
 * (dates, decimals, Buffers), which JSON writes as they choose.
 */
export function redactDetails<T extends Record<string, unknown>>(details: T): T {
  return redactObject(details, 0) as T;
}

function redactObject(obj: Record<string, unknown>, depth: number): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const key in obj) {
    if (!Object.prototype.hasOwnProperty.call(obj, key)) continue;
    const value = obj[key];
    const rule = maskRuleOf(key);
    let next: unknown;
    // An object under free text (`error: {…}`) is walked like any other: its own keys say what to mask.
    if (walkable(value) && (rule === undefined || rule === 'text')) next = depth < MASK_DEPTH ? redactAny(value, depth + 1) : value;
    else next = rule === undefined ? value : maskValue(rule, value);
    if (next !== value) (out ??= { ...obj })[key] = next;
  }
  return out ?? obj;
}

function redactAny(value: object, depth: number): unknown {
  if (!Array.isArray(value)) return redactObject(value as Record<string, unknown>, depth);
  let out: unknown[] | undefined;
  for (let i = 0; i < value.length; i++) {
    const item: unknown = value[i];
    const next = depth < MASK_DEPTH && walkable(item) ? redactAny(item, depth + 1) : item;
    if (next !== item) (out ??= [...value])[i] = next;
  }
  return out ?? value;
}

/** An object JSON writes field by field, which may hold a masked key. */
function walkable(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !(value instanceof Error) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
}
