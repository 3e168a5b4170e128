import { TelegramCodec } from '../../codec/telegram-codec.js';
import { loadSpecFile } from '../../spec/load-spec.js';
import type { FieldSpec, MessageSpec } from '../../spec/types.js';
import { UsageError } from '../usage-error.js';

/** `firmbank spec check`: loads and compiles each file; one line per file. Throws on the first bad one. */
export function specCheckCommand(files: string[]): string {
  if (files.length === 0) throw new UsageError('spec check: name at least one spec file');
  return files
    .map((file) => {
      const codec = new TelegramCodec(loadSpecFile(file));
      const s = codec.spec;
      return `ok ${file}: ${s.institution}, ${s.encoding}, ${s.messages.size} messages, framing ${s.framing.kind}`;
    })
    .join('\n');
}

/** `firmbank spec show`: the message list, or one message's layout with derived offsets. */
export function specShowCommand(file: string | undefined, messageName: string | undefined): string {
  if (!file) throw new UsageError('spec show: name a spec file');
  const codec = new TelegramCodec(loadSpecFile(file));
  const spec = codec.spec;
  if (!messageName) {
    const rows = [...spec.messages.values()].map((m) => [m.name, Object.values(m.key).join('/'), String(m.length), m.description ?? '']);
    return table(['message', 'key', 'length', 'description'], rows);
  }
  const m: MessageSpec = codec.message(messageName);
  const rows = m.layout.map((f: FieldSpec) => [String(f.offset), f.name, typeLabel(f), String(f.length), f.mask ?? '', m.key[f.name] ?? f.value ?? f.default ?? '', f.description ?? '']);
  return `${m.name} (${Object.entries(m.key).map(([k, v]) => `${k}=${v}`).join(', ')}), ${m.length} bytes\n` + table(['offset', 'field', 'type', 'length', 'mask', 'value', 'description'], rows);
}

function typeLabel(f: FieldSpec): string {
  const base = f.type === 'X' || f.type === 'filler' || f.type === 'sign' ? `X(${f.length})` : `9(${f.length})`;
  return `${base} ${f.type}${f.scale ? ` scale ${f.scale}` : ''}`;
}

/** Plain text table; widths count Hangul as two columns, as a terminal shows them. */
function table(head: string[], rows: string[][]): string {
  const width = (s: string) => [...s].reduce((n, ch) => n + (ch.charCodeAt(0) >= 0x1100 ? 2 : 1), 0);
  const widths = head.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i]!))));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c + ' '.repeat(widths[i]! - width(c)))).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}
