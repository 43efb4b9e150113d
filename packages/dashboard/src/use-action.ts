import { useCallback, useState } from 'react';

/** A change or a POST the page runs on demand: its error and whether it is under way. */
export function useAction<A extends unknown[]>(action: (...args: A) => Promise<void>) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = useCallback(
    async (...args: A) => {
      setBusy(true);
      setError(null);
      try {
        await action(...args);
      } catch (e) {
        setError(e);
      } finally {
        setBusy(false);
      }
    },
    [action],
  );
  return { run, error, busy };
}
