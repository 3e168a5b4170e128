import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TelegramCodec } from '../../src/codec/telegram-codec.js';
import { loadSpecFile } from '../../src/spec/load-spec.js';
import { projectRoot } from '../../src/paths.js';

export const ROOT = projectRoot();

/** Every spec shipped in specs/, compiled. */
export function shippedCodecs(): { file: string; codec: TelegramCodec }[] {
  const dir = join(ROOT, 'specs');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => ({ file: f, codec: new TelegramCodec(loadSpecFile(join(dir, f))) }));
}
