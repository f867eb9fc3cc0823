/**
 * Who is signed in. Asks `GET /api/me` once at start, signs in and out, and turns any 401 from
 * the API into a return to the sign-in page (keeping the page to come back to).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError, setUnauthorizedListener } from '../api/client.ts';
import { fetchMe, logout as apiLogout } from '../api/endpoints.ts';
import { loginSecondFactor, loginStep } from '../api/accounts.ts';
import type { User } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { currentPath, navigate } from './navigation.tsx';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out' }
  | { status: 'signed-in'; user: User }
  /** `/api/me` could not be asked (network, server down): nothing is known yet. */
  | { status: 'unreachable'; error: unknown };

export interface Session {
  readonly state: SessionState;
  /** The password step: signed in, or a second factor is awaited (`{ challenge }`). */
  signIn(email: string, password: string): Promise<User | { challenge: string }>;
  /** The second-factor step of a sign-in. */
  completeSignIn(challenge: string, code: string): Promise<User>;
  signOut(): Promise<void>;
  /** Ask the server again after `unreachable`. */
  retry(): void;
}

const SessionContext = createContext<Session | null>(null);

/** `/login?next=<where we are>`, unless we are already on the sign-in page. */
export function loginPathFromHere(): string {
  const here = currentPath();
  if (here.startsWith('/login')) return here;
  return here === '/' ? '/login' : `/login?next=${encodeURIComponent(here)}`;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const { adoptUserLocale } = useI18n();
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    fetchMe({ signal: controller.signal }).then(
      (user) => {
        adoptUserLocale(user.locale);
        setState({ status: 'signed-in', user });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.kind === 'unauthorized') setState({ status: 'signed-out' });
        else setState({ status: 'unreachable', error });
      },
    );
    return () => controller.abort();
  }, [attempt, adoptUserLocale]);

  useEffect(() => {
    setUnauthorizedListener(() => {
      setState({ status: 'signed-out' });
      navigate(loginPathFromHere(), { replace: true });
    });
    return () => setUnauthorizedListener(null);
  }, []);

  const signIn = useCallback(
    async (email: string, password: string) => {
      const step = await loginStep(email, password);
      if (!('user' in step)) return { challenge: step.challenge };
      adoptUserLocale(step.user.locale);
      setState({ status: 'signed-in', user: step.user });
      return step.user;
    },
    [adoptUserLocale],
  );

  const completeSignIn = useCallback(
    async (challenge: string, code: string) => {
      const user = await loginSecondFactor(challenge, code);
      adoptUserLocale(user.locale);
      setState({ status: 'signed-in', user });
      return user;
    },
    [adoptUserLocale],
  );

  const signOut = useCallback(async () => {
    try {
      await apiLogout();
    } catch {
      // Signed out locally anyway; the cookie expires on its own if the server did not hear us.
    }
    setState({ status: 'signed-out' });
    navigate('/login');
  }, []);

  const retry = useCallback(() => {
    setState({ status: 'loading' });
    setAttempt((n) => n + 1);
  }, []);

  const value = useMemo<Session>(() => ({ state, signIn, completeSignIn, signOut, retry }), [state, signIn, completeSignIn, signOut, retry]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}
