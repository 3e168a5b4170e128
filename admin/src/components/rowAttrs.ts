import type { HTMLAttributes } from 'react';

/** Attributes for a table row (antd's onRow), data-* included, which an object literal type would refuse. */
export function rowAttrs(data: Record<`data-${string}`, string | number>, extra: HTMLAttributes<HTMLElement> = {}): HTMLAttributes<HTMLElement> {
  const attrs: HTMLAttributes<HTMLElement> = { ...extra };
  Object.assign(attrs, data);
  return attrs;
}
