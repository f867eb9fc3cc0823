/** React bindings of the live feed: one `LiveEvents` per signed-in session. */
import { createContext, useContext, useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { probeSession } from '../api/endpoints.ts';
import { LiveEvents, type ConnectionStatus, type LiveEventMap } from '../api/live-events.ts';

const LiveContext = createContext<LiveEvents | null>(null);

export function LiveEventsProvider({ children }: { children: ReactNode }) {
  const [live] = useState(
    () =>
      new LiveEvents('/api/events', () => {
        // A 401 here sends the user to the sign-in page; other failures just wait for the retry.
        probeSession().catch(() => undefined);
      }),
  );
  useEffect(() => {
    live.start();
    return () => live.stop();
  }, [live]);
  return <LiveContext.Provider value={live}>{children}</LiveContext.Provider>;
}

function useLive(): LiveEvents {
  const live = useContext(LiveContext);
  if (!live) throw new Error('live hooks outside LiveEventsProvider');
  return live;
}

/** The kinds of message the live stream carries (`status` is the connection's, see below). */
export type LiveEventType = Exclude<keyof LiveEventMap, 'status'>;

/** Run `handler` for each live event of `type`; the latest handler is always the one called. */
export function useLiveEvent<K extends LiveEventType>(type: K, handler: (event: LiveEventMap[K]) => void): void {
  const live = useLive();
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(() => live.on(type, (event) => latest.current(event)), [live, type]);
}

/** The live connection's state. */
export function useConnectionStatus(): ConnectionStatus {
  const live = useLive();
  return useSyncExternalStore(
    (onChange) => live.on('status', onChange),
    () => live.status,
  );
}

/**
 * A number that changes each time the live stream comes back after a loss: put it in the
 * dependencies of a data load so the page catches up on what it missed.
 */
export function useResumeKey(): number {
  const live = useLive();
  return useSyncExternalStore(
    (onChange) => live.on('status', onChange),
    () => live.resumes,
  );
}
