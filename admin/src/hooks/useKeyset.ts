import { useCallback, useEffect, useRef, useState } from 'react';

/**
 * Keyset paging: the cursor of the page shown is the top of a stack; "next" pushes the page's `next`,
 * "back" pops. A new `resetKey` (other filters) starts again from the first page.
 */
export function useKeyset(resetKey: string) {
  const [stack, setStack] = useState<string[]>([]);
  const lastKey = useRef(resetKey);
  useEffect(() => {
    if (lastKey.current !== resetKey) {
      lastKey.current = resetKey;
      setStack([]);
    }
  }, [resetKey]);
  const current = lastKey.current === resetKey ? stack : [];
  const next = useCallback((cursor: string) => setStack((s) => [...s, cursor]), []);
  const back = useCallback(() => setStack((s) => s.slice(0, -1)), []);
  const first = useCallback(() => setStack([]), []);
  return { after: current[current.length - 1], page: current.length + 1, canBack: current.length > 0, next, back, first };
}

export type Keyset = ReturnType<typeof useKeyset>;
