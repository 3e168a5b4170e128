import { describe, expect, it } from 'vitest';
import { TelegramCodec } from '../src/codec/telegram-codec.js';
import { parseSpec } from '../src/spec/load-spec.js';
import { SpecError } from '../src/spec/spec-error.js';

const base = (messages: string, extra = '') => `
institution: test
encoding: euc-kr
framing: { kind: length-prefix, digits: 4 }
${extra}
header:
  - { name: code, type: X, length: 4 }
  - { name: seq,  type: N, length: 6 }
messages:
${messages}
`;

const ok = `
  a.request:
    key: { code: "1000" }
    length: 20
    fields:
      - { name: amount, type: amount, length: 10 }
`;

function specError(text: string): SpecError {
  try {
    new TelegramCodec(parseSpec(text, 'test.yaml'));
  } catch (e) {
    expect(e).toBeInstanceOf(SpecError);
    return e as SpecError;
  }
  throw new Error('expected a SpecError');
}

describe('spec loading', () => {
  it('derives offsets from lengths', () => {
    const spec = parseSpec(base(ok));
    expect(spec.messages.get('a.request')!.layout.map((f) => [f.name, f.offset])).toEqual([
      ['code', 0],
      ['seq', 4],
      ['amount', 10],
    ]);
  });

  it.each([
    ['unknown type', ok.replace('type: amount', 'type: money'), /unknown type "money"/, 8],
    ['total length that does not add up', ok.replace('length: 20', 'length: 21'), /add up to 20 bytes .* length says 21/, 6],
    ['unquoted code turned into a number', ok.replace('"1000"', '1000'), /1000 is a number: codes must be quoted/, 5],
    ['duplicate field name', ok.replace('name: amount', 'name: seq'), /duplicate field name "seq"/, 8],
    ['unknown key', ok.replace('length: 20', 'length: 20\n    lenght: 20'), /unknown key "lenght"/, 7],
    ['key naming a missing field', ok.replace('{ code: "1000" }', '{ kode: "1000" }'), /key names field "kode"/, 5],
    ['key value longer than its field', ok.replace('"1000"', '"10000"'), /at most 4 bytes/, 5],
    ['scale on a text field', ok.replace('type: amount, length: 10', 'type: X, length: 10, scale: 2'), /scale is only for amount/, 8],
    ['numeric default', ok.replace('length: 10 }', 'length: 10, default: 0 }'), /write it as a quoted string/, 8],
    ['date of the wrong length', ok.replace('type: amount, length: 10', 'type: date, length: 10'), /a date field is 8 bytes/, 8],
  ])('refuses %s, naming file, line and reason', (_what, messages, reason, line) => {
    const e = specError(base(messages));
    expect(e.code).toBe('FB_SPEC_INVALID');
    expect(e.message).toMatch(reason);
    expect(e.message).toContain('test.yaml');
    expect(e.location.line).toBe(line + 7);
  });

  it('refuses ambiguous keys', () => {
    const e = specError(base(ok + ok.replace('a.request', 'b.request')));
    expect(e.message).toMatch(/ambiguous key: b.request and a.request/);
  });

  it('refuses key fields that are not at the same offset in every message', () => {
    const moved = `
  b.request:
    key: { code: "2000" }
    length: 20
    header:
      - { name: seq,  type: N, length: 6 }
      - { name: code, type: X, length: 4 }
    fields:
      - { name: amount, type: amount, length: 10 }
`;
    expect(specError(base(ok + moved)).message).toMatch(/key field code is at 6\+4 here but at 0\+4 in a.request/);
  });

  it('refuses a default that does not fit its field', () => {
    const e = specError(base(ok.replace('length: 10 }', 'length: 10, default: "12345678901" }')));
    expect(e.message).toMatch(/value "12345678901" does not fit/);
    expect(e.location.field).toBe('amount');
  });

  it('refuses broken YAML with its line', () => {
    const e = specError('institution: x\nmessages: [\n');
    expect(e.message).toMatch(/not valid YAML/);
    expect(e.location.line).toBeGreaterThan(0);
  });

  it.each([
    ['an unknown encoding', base(ok).replace('euc-kr', 'utf-8'), /unknown encoding "utf-8"/],
    ['an unknown framing', base(ok).replace('kind: length-prefix, digits: 4', 'kind: magic'), /unknown framing kind "magic"/],
    ['a prefix too short for the length', base(ok).replace('digits: 4', 'digits: 1'), /1 digits cannot carry a length of 20/],
    ['fixed framing over messages of different lengths', base(ok + ok.replace('a.request', 'b.request').replace('"1000"', '"2000"').replace('length: 20', 'length: 21').replace('length: 10', 'length: 11')).replace('kind: length-prefix, digits: 4', 'kind: fixed'), /one length; found 20, 21/],
    ['a bad institution id', base(ok).replace('institution: test', 'institution: Test Bank'), /is not an id/],
    ['no messages', base(''), /messages must be a non-empty mapping/],
  ])('refuses %s', (_what, text, reason) => {
    expect(specError(text).message).toMatch(reason);
  });

  it('describes batch files too: records told apart by a record-type field, no common header', () => {
    const batch = `
institution: bank-statement
encoding: euc-kr
framing: { kind: fixed }
messages:
  header:
    key: { recordType: "H" }
    length: 20
    fields:
      - { name: recordType, type: X, length: 1 }
      - { name: fileDate, type: date, length: 8 }
      - { name: spare, type: filler, length: 11 }
  data:
    key: { recordType: "D" }
    length: 20
    fields:
      - { name: recordType, type: X, length: 1 }
      - { name: amount, type: amount, length: 13 }
      - { name: sign, type: sign, length: 1 }
      - { name: spare, type: filler, length: 5 }
  trailer:
    key: { recordType: "T" }
    length: 20
    fields:
      - { name: recordType, type: X, length: 1 }
      - { name: count, type: N, length: 6 }
      - { name: total, type: amount, length: 13, scale: 2 }
`;
    const codec = new TelegramCodec(parseSpec(batch, 'batch.yaml'));
    const rec = codec.encode('trailer', { count: '000042', total: '1234.50' });
    expect(rec.toString('latin1')).toBe('T0000420000000123450');
    expect(codec.decode(rec).message).toBe('trailer');
    expect(codec.decode(rec).fields['total']!.toString()).toBe('1234.5');
    expect(codec.decode(codec.encode('header', { fileDate: '2026-11-24' })).fields).toEqual({ recordType: 'H', fileDate: '2026-11-24' });
  });
});
