import type { MaskKind } from '../spec/types.js';

/**
 * Hides a value the way logs, errors and the console must show it:
 * accounts keep their last 4 characters, names their first, secrets nothing.
 */
export function maskText(kind: MaskKind, text: string): string {
  const chars = [...text.trimEnd()];
  switch (kind) {
    case 'account':
      return chars.length <= 4 ? '*'.repeat(chars.length) : '*'.repeat(chars.length - 4) + chars.slice(-4).join('');
    case 'name':
      return chars.length === 0 ? '' : chars[0] + '*'.repeat(Math.max(chars.length - 1, 1));
    case 'secret':
      return '****';
  }
}
