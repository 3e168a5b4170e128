import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';
import { ResponseCodeTable } from '../codes/response-codes.js';
import { isFirmbankError } from '../errors/firmbank-error.js';
import { loadSpecFile } from '../spec/load-spec.js';
import type { MessageSpec, TelegramSpec } from '../spec/types.js';
import { KFTC_AS_IS, loadBankCodeMap, type BankCodeMap } from './bank-code-map.js';
import { BusinessHours } from './business-hours.js';
import { OPERATIONS, type OperationName, type OperationVocabulary } from './operations.js';
import { ProfileError } from './profile-error.js';
import { InstitutionProfile, messagesOf, type OperationBinding, type OperationMessages } from './profile.js';

/** An institution, loaded: its profile and what the profile names, each checked to load. */
export interface LoadedInstitution {
  readonly profile: InstitutionProfile;
  readonly codes: ResponseCodeTable;
  readonly hours: BusinessHours;
}

const TOP_KEYS = ['institution', 'description', 'spec', 'codes', 'hours', 'bankCodes', 'operations', 'simulator'];
const OPERATION_KEYS = ['message', 'fields', 'answer', 'values', 'unconfirmed', 'description'];

/**
 * Reads a profile file and everything it names (spec, response codes, business hours, bank-code map),
 * validated: an operation bound to a message the spec does not have, a canonical field mapped to nothing
 * or to a field the message lacks, a required canonical field left out, a code table or hours file that does
 * not load — each is a {@link ProfileError} naming the file and the path in it. Errors in the spec itself
 * are the spec loader's (file, line, path).
 */
export function loadInstitution(file: string): LoadedInstitution {
  let raw: unknown;
  try {
    raw = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ProfileError(file, '', code ? `cannot read the profile: ${code === 'ENOENT' ? 'there is no such file' : code}` : `not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const r = new ProfileReader(file);
  const root = r.mapping(raw, '');
  r.onlyKeys(root, '', TOP_KEYS);
  const institution = r.text(root['institution'], 'institution');
  const at = (p: string) => (isAbsolute(p) ? p : join(dirname(file), p));

  const spec = loadSpecFile(at(r.text(root['spec'], 'spec')));
  if (spec.institution !== institution) throw new ProfileError(file, 'institution', `"${institution}" but the spec ${spec.file} is for "${spec.institution}"`);
  if (!spec.session) throw new ProfileError(file, 'spec', `${spec.file} has no session section: an institution needs one to be reached over a link`);

  const codesFile = at(r.text(root['codes'], 'codes'));
  const codes = r.loading('codes', () => ResponseCodeTable.load(codesFile));
  const hoursFile = at(r.text(root['hours'], 'hours'));
  const hours = r.loading('hours', () => BusinessHours.load(hoursFile));
  const bankCodes = r.bankCodes(root['bankCodes'], at);

  const ops = r.mapping(root['operations'], 'operations');
  const operations = new Map<OperationName, OperationBinding>();
  for (const [name, value] of Object.entries(ops)) {
    if (!(name in OPERATIONS)) throw new ProfileError(file, `operations.${name}`, `is not an operation the engine knows (${Object.keys(OPERATIONS).join(', ')})`);
    operations.set(name as OperationName, r.operation(name as OperationName, value, spec, bankCodes));
  }
  const simulator = root['simulator'] === undefined ? {} : r.mapping(root['simulator'], 'simulator');
  r.onlyKeys(simulator, 'simulator', ['codes']);
  const simCodes = simulator['codes'] === undefined ? {} : r.strings(simulator['codes'], 'simulator.codes');

  const profile = new InstitutionProfile(file, institution, spec, bankCodes, operations, simCodes);
  return { profile, codes, hours };
}

/** Reads the parsed document with a path for every complaint. */
class ProfileReader {
  constructor(private readonly file: string) {}

  fail(path: string, reason: string): never {
    throw new ProfileError(this.file, path, reason);
  }

  mapping(v: unknown, path: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, 'must be a mapping (key: value)');
    return v as Record<string, unknown>;
  }

  text(v: unknown, path: string): string {
    if (typeof v !== 'string' || v === '') this.fail(path, `must be a non-empty string${typeof v === 'number' ? ' (quote numbers: "0000")' : ''}`);
    return v;
  }

  strings(v: unknown, path: string): Record<string, string> {
    const m = this.mapping(v, path);
    for (const [k, x] of Object.entries(m)) this.text(x, `${path}.${k}`);
    return m as Record<string, string>;
  }

  onlyKeys(m: Record<string, unknown>, path: string, known: readonly string[]): void {
    for (const k of Object.keys(m)) if (!known.includes(k)) this.fail(path ? `${path}.${k}` : k, `is not a profile key (known here: ${known.join(', ')})`);
  }

  /** Runs a loader of a named file; its failure becomes an error at `path`. */
  loading<T>(path: string, load: () => T): T {
    try {
      return load();
    } catch (e) {
      const why = isFirmbankError(e) ? e.message : (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'there is no such file' : String(e);
      return this.fail(path, `does not load: ${why}`);
    }
  }

  bankCodes(v: unknown, at: (p: string) => string): BankCodeMap {
    const m = this.mapping(v, 'bankCodes');
    this.onlyKeys(m, 'bankCodes', ['width', 'map']);
    if (m['width'] === 3 && m['map'] === undefined) return KFTC_AS_IS;
    if (m['width'] !== 2 && m['width'] !== 3) this.fail('bankCodes.width', 'must be 2 or 3');
    const file = at(this.text(m['map'], 'bankCodes.map'));
    return this.loading('bankCodes.map', () => loadBankCodeMap(file, m['width'] as number));
  }

  operation(name: OperationName, value: unknown, spec: TelegramSpec, bankCodes: BankCodeMap): OperationBinding {
    const path = `operations.${name}`;
    const vocab: OperationVocabulary = OPERATIONS[name];
    const m = this.mapping(value, path);
    this.onlyKeys(m, path, OPERATION_KEYS);
    const messages = this.messages(m['message'], `${path}.message`);
    const layouts = messagesOf({ messages }).map((n) => {
      const msg = spec.messages.get(n);
      if (!msg) this.fail(`${path}.message`, `${spec.file} has no message "${n}"`);
      if (msg.from !== vocab.from) this.fail(`${path}.message`, `"${n}" is sent by the ${msg.from ?? '(unsaid)'} side, but ${name} starts from the ${vocab.from === 'bank' ? 'bank' : 'company'}`);
      const response = msg.response ? spec.messages.get(msg.response) : undefined;
      return { request: msg, response };
    });
    const request = this.fields(m['fields'], `${path}.fields`, vocab.request, layouts.map((l) => l.request), bankCodes);
    const answerLayouts = layouts.map((l) => l.response).filter((x): x is MessageSpec => x !== undefined);
    if (m['answer'] !== undefined && answerLayouts.length === 0) this.fail(`${path}.answer`, `the message has no response to read an answer from`);
    const answer = this.fields(m['answer'], `${path}.answer`, vocab.answer, answerLayouts, bankCodes);
    const values = m['values'] === undefined ? {} : this.strings(m['values'], `${path}.values`);
    for (const f of Object.keys(values)) {
      for (const l of layouts) if (!l.request.layout.some((x) => x.name === f)) this.fail(`${path}.values.${f}`, `message ${l.request.name} has no field "${f}"`);
    }
    const unconfirmed = m['unconfirmed'] === undefined ? undefined : this.text(m['unconfirmed'], `${path}.unconfirmed`);
    return { operation: name, messages, request, answer, values, ...(unconfirmed ? { unconfirmed } : {}) };
  }

  private messages(v: unknown, path: string): OperationMessages {
    if (typeof v === 'string') return { single: this.text(v, path) };
    const m = this.mapping(v, path);
    this.onlyKeys(m, path, ['ownBank', 'otherBank']);
    return { ownBank: this.text(m['ownBank'], `${path}.ownBank`), otherBank: this.text(m['otherBank'], `${path}.otherBank`) };
  }

  /** canonical → spec field, every canonical name known, every spec field in each layout, required ones present. */
  private fields(v: unknown, path: string, vocab: OperationVocabulary['request'], layouts: readonly MessageSpec[], bankCodes: BankCodeMap): Record<string, string> {
    const m = v === undefined ? {} : this.strings(v, path);
    for (const [canonical, field] of Object.entries(m)) {
      const known = vocab[canonical];
      if (!known) this.fail(`${path}.${canonical}`, `is not a canonical field of this operation (${Object.keys(vocab).join(', ') || 'none yet'})`);
      for (const l of layouts) {
        const spec = l.layout.find((x) => x.name === field);
        if (!spec) this.fail(`${path}.${canonical}`, `message ${l.name} has no field "${field}"`);
        if (known.kind === 'bankCode' && spec.length !== bankCodes.width) this.fail(`${path}.${canonical}`, `field "${field}" holds ${spec.length} digits but bankCodes.width is ${bankCodes.width}`);
      }
    }
    for (const [canonical, f] of Object.entries(vocab)) if (f.required && m[canonical] === undefined) this.fail(`${path}.${canonical}`, 'is required by the engine and mapped to nothing');
    return m;
  }
}
