/** Load data from the API for a page, with cancellation when the inputs change or the page leaves. */
import { useCallback, useEffect, useState, type DependencyList } from 'react';
import { isAbort } from '../../api/client.ts';

export type Resource<T> =
  | { status: 'loading'; data?: T }
  | { status: 'ready'; data: T }
  | { status: 'error'; error: unknown; data?: T };

/**
 * Run `load` whenever `deps` change; keeps the previous data while reloading so the page does not
 * flash empty. `reload()` runs it again; `setData` lets live events patch what is shown.
 */
export function useResource<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: DependencyList,
): { resource: Resource<T>; reload: () => void; setData: (update: (data: T) => T) => void } {
  const [resource, setResource] = useState<Resource<T>>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setResource((previous) => ({ status: 'loading', ...(previous.data !== undefined ? { data: previous.data } : {}) }));
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setResource({ status: 'ready', data });
      },
      (error: unknown) => {
        if (controller.signal.aborted || isAbort(error)) return;
        setResource((previous) => ({ status: 'error', error, ...(previous.data !== undefined ? { data: previous.data } : {}) }));
      },
    );
    return () => controller.abort();
    // `load` is a fresh closure each render; `deps` lists what it reads.
  }, [...deps, attempt]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  const setData = useCallback((update: (data: T) => T) => {
    setResource((previous) => (previous.data === undefined ? previous : { ...previous, data: update(previous.data) }));
  }, []);
  return { resource, reload, setData };
}
