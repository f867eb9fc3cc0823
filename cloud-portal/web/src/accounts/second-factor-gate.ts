/**
 * Whether the signed-in staff account still has to enrol its second factor (asked once per
 * sign-in). One answer shared by every component that asks (the page shows the enrolment, the
 * header then highlights no navigation item): concurrent askers share one request.
 */
import { useCallback, useEffect, useSyncExternalStore } from 'react';
import { fetchSecondFactor } from '../api/accounts.ts';

let gate: { userId: string; needed: boolean } | null = null;
let inFlight: { userId: string; answer: Promise<void> } | null = null;
const listeners = new Set<() => void>();

function set(next: { userId: string; needed: boolean }): void {
  gate = next;
  for (const listener of listeners) listener();
}

function ask(userId: string): void {
  if (inFlight?.userId === userId) return;
  const answer = fetchSecondFactor().then(
    (s) => {
      if (inFlight?.answer === answer) set({ userId, needed: s.required && !s.enrolled });
    },
    () => undefined,
  ).finally(() => {
    if (inFlight?.answer === answer) inFlight = null;
  });
  inFlight = { userId, answer };
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSecondFactorGate(userId: string): { needed: boolean; done: () => void } {
  useEffect(() => ask(userId), [userId]);
  const needed = useSyncExternalStore(subscribe, () => gate?.userId === userId && gate.needed);
  return { needed, done: useCallback(() => set({ userId, needed: false }), [userId]) };
}
