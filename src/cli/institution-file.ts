import { existsSync } from 'node:fs';
import { loadInstitution, type LoadedInstitution } from '../institution/load-profile.js';

/** The profile a CLI argument names: the file itself when it is a profile, else the one beside a spec. */
export function profileFileOf(file: string): string {
  return /\.profile\.ya?ml$/.test(file) ? file : file.replace(/\.ya?ml$/, '.profile.yaml');
}

/** The institution whose spec (or profile) a CLI argument names, when it has a profile; undefined otherwise. */
export function institutionOf(file: string): LoadedInstitution | undefined {
  const profile = profileFileOf(file);
  return existsSync(profile) ? loadInstitution(profile) : undefined;
}
