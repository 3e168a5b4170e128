import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TelegramCodec } from '../../src/codec/telegram-codec.js';
import { loadInstitution } from '../../src/institution/load-profile.js';
import { loadSpecFile } from '../../src/spec/load-spec.js';
import { projectRoot } from '../../src/paths.js';

export const ROOT = projectRoot();

/** The shipped Hecto profile, loaded once. */
export const hectoInstitution = loadInstitution(join(ROOT, 'specs/hecto.profile.yaml'));
export const hectoProfile = hectoInstitution.profile;

/** Every spec shipped in specs/, compiled (profiles are not specs). */
export function shippedCodecs(): { file: string; codec: TelegramCodec }[] {
  const dir = join(ROOT, 'specs');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && !f.endsWith('.profile.yaml'))
    .map((f) => ({ file: f, codec: new TelegramCodec(loadSpecFile(join(dir, f))) }));
}
