import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { maskText } from '../src/codec/mask.js';
import { TelegramCodec } from '../src/codec/telegram-codec.js';
import { parseSpec } from '../src/spec/load-spec.js';

const codec = new TelegramCodec(
  parseSpec(`
institution: t
encoding: cp949
framing: { kind: fixed }
messages:
  m:
    key: { kind: "M" }
    length: 49
    fields:
      - { name: kind, type: X, length: 1 }
      - { name: version, type: N, length: 2, default: "7" }
      - { name: rate, type: amount, length: 8, scale: 3 }
      - { name: won, type: amount, length: 16 }
      - { name: when, type: date, length: 8 }
      - { name: at, type: time, length: 6 }
      - { name: sign, type: sign, length: 1 }
      - { name: name, type: X, length: 6, mask: name }
      - { name: pad, type: filler, length: 1 }
`),
);

describe('codec semantics', () => {
  it('a field not given takes its default; null is an explicit blank', () => {
    expect(codec.encode('m', {}).toString('latin1', 1, 3)).toBe('07');
    expect(codec.encode('m', { version: null }).toString('latin1', 1, 3)).toBe('  ');
  });

  it('amounts: scale, bigint, safe integers only, no sign, no excess decimals', () => {
    const buf = codec.encode('m', { rate: '12.5', won: 9_007_199_254_740_993n });
    expect(buf.toString('latin1', 3, 27)).toBe('000125009007199254740993');
    const f = codec.decode(buf).fields;
    expect((f['rate'] as Decimal).equals(new Decimal('12.5'))).toBe(true);
    expect((f['won'] as Decimal).toFixed()).toBe('9007199254740993');
    expect(() => codec.encode('m', { won: 2 ** 53 + 2 })).toThrowError(/not a safe integer/);
    expect(() => codec.encode('m', { rate: '1.2345' })).toThrowError(/more than 3 decimal places/);
    expect(() => codec.encode('m', { won: new Decimal(-1) })).toThrowError(/negative/);
    expect(() => codec.encode('m', { won: '1e3' })).toThrowError(/not an unsigned decimal amount/);
  });

  it('dates and times are checked against the calendar and the clock', () => {
    expect(() => codec.encode('m', { when: '2026-02-29' })).toThrowError(/not a date/);
    expect(codec.decode(codec.encode('m', { when: '2028-02-29', at: '23:59:59' })).fields).toMatchObject({ when: '2028-02-29', at: '23:59:59' });
    expect(() => codec.encode('m', { at: '24:00:00' })).toThrowError(/not a time/);
    const zeros = codec.encode('m', { when: '0000-00-00' });
    expect(codec.decode(zeros).fields['when']).toBe('0000-00-00');
  });

  it('the key is written from the spec and a contradicting key is refused', () => {
    expect(codec.encode('m', { kind: 'M' })[0]).toBe(0x4d);
    expect(() => codec.encode('m', { kind: 'X' })).toThrowError(/message key "M"/);
  });

  it('cp949 specs accept UHC syllables; a filler takes no value', () => {
    expect(codec.decode(codec.encode('m', { name: '똠햏뷁' })).fields['name']).toBe('똠햏뷁');
    expect(() => codec.encode('m', { pad: 'x' })).toThrowError(/filler/);
  });

  it('never shows a masked value in an error', () => {
    let message = '';
    try {
      codec.encode('m', { name: '홍길동입니다' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('name (offset 42)');
    expect(message).not.toContain('길동');
  });

  it('masks accounts, names and secrets', () => {
    expect(maskText('account', '110123456789')).toBe('********6789');
    expect(maskText('name', '홍길동')).toBe('홍**');
    expect(maskText('secret', '1234')).toBe('****');
  });
});

describe('secrets in kept telegrams', () => {
  it('overwrites mask: secret fields with *, leaves blank ones blank, copies, and leaves the rest byte for byte', async () => {
    const { hecto } = await import('./helpers/link.js');
    const sent = hecto.encode('transfer.request', { withdrawAccount: '12345678901234', password: '1234', amount: '1000', depositBankCode: '004', depositAccount: '110123456789' });
    const kept = hecto.redactSecrets(sent);
    expect(kept).not.toBe(sent);
    expect(sent.includes(Buffer.from('1234    '))).toBe(true); // what goes to the bank is untouched
    const f = hecto.decode(kept).fields;
    expect(f['password']).toBe('********');
    expect(f['verifyCode']).toBe(''); // blank: none was sent
    const diff = [...kept.keys()].filter((i) => kept[i] !== sent[i]);
    const pw = hecto.message('transfer.request').layout.find((x) => x.name === 'password')!;
    expect(diff.every((i) => i >= pw.offset && i < pw.offset + pw.length)).toBe(true);
    const open = hecto.encode('open.request', {});
    expect(hecto.redactSecrets(open)).toBe(open); // nothing secret: no copy
    const junk = Buffer.from('not a telegram');
    expect(hecto.redactSecrets(junk)).toBe(junk);
  });
});
