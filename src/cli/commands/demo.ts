import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TelegramCodec } from '../../codec/telegram-codec.js';
import { toJsonFields } from '../../codec/json-view.js';
import { loadSpecFile } from '../../spec/load-spec.js';
import { projectRoot } from '../../paths.js';

/**
 * `firmbank demo` (what `npm start` runs for now): encodes the sample transfer request with the Hecto spec,
 * prints the telegram as hex, and decodes it back: the codec end to end on a fresh clone.
 */
export function demoCommand(): string {
  const root = projectRoot();
  const specFile = join(root, 'specs/hecto.yaml');
  const sampleFile = join(root, 'specs/samples/transfer-request.json');
  const codec = new TelegramCodec(loadSpecFile(specFile));
  const sample = JSON.parse(readFileSync(sampleFile, 'utf8')) as { message: string; fields: Record<string, string> };
  const bytes = codec.encode(sample.message, sample.fields);
  const decoded = codec.decode(bytes);
  return [
    `firmbank demo: ${sample.message} from specs/samples/transfer-request.json, spec specs/hecto.yaml`,
    '',
    `telegram, ${bytes.length} bytes EUC-KR, as hex:`,
    bytes.toString('hex').replace(/(.{100})/g, '$1\n').trim(),
    '',
    'decoded back:',
    JSON.stringify({ message: decoded.message, fields: toJsonFields(codec.message(decoded.message), decoded.fields) }, null, 2),
  ].join('\n');
}
