/**
 * The application: language, session, then either the sign-in page or the signed-in shell
 * (header, live feed, pages). Route guards live here and nowhere else.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { LoginPage } from '../accounts/login-page.tsx';
import { InvitationPage, ResetPage } from '../accounts/public-pages.tsx';
import { RegisterPage } from '../accounts/register-page.tsx';
import { useSecondFactorGate } from '../accounts/second-factor-gate.ts';
import { TotpEnrolPage } from '../accounts/totp-enrol-page.tsx';
import { AdminPage } from '../admin/admin-page.tsx';
import { fetchDemoSms } from '../api/endpoints.ts';
import type { User } from '../api/types.ts';
import { BoxConfigPage } from '../care/box-config/box-config-page.tsx';
import { InboxPage } from '../care/inbox-page.tsx';
import { PatientDashboardPage } from '../care/patient-dashboard-page.tsx';
import { SummaryPage } from '../care/summary-page.tsx';
import { DemoPage } from '../demo/demo-page.tsx';
import { startOutboxSync } from '../my/questionnaire/outbox-sync.ts';
import { QuestionnairePage } from '../my/questionnaire/questionnaire-page.tsx';
import { I18nProvider, useI18n } from '../i18n/i18n.tsx';
import { FleetPage } from '../support/fleet-page.tsx';
import { AlertPage } from '../care/alert-page.tsx';
import { TicketsPage } from '../support/tickets-page.tsx';
import { ErrorNotice } from '../ui/error-notice.tsx';
import { LiveEventsProvider } from '../ui/live.tsx';
import { navigate, useLocationPath } from '../ui/navigation.tsx';
import { loginPathFromHere, SessionProvider, useSession } from '../ui/session.tsx';
import { AppHeader } from './app-header.tsx';
import { HomePage } from './home-page.tsx';
import { NotFoundPage } from './not-found-page.tsx';
import { matchRoute, PUBLIC_ROUTES, type Route } from './routes.ts';

export function App() {
  return (
    <I18nProvider>
      <SessionProvider>
        <Root />
      </SessionProvider>
    </I18nProvider>
  );
}

function Root() {
  const { t } = useI18n();
  const { state, retry } = useSession();
  const path = useLocationPath();
  const route = useMemo(() => {
    const query = path.indexOf('?');
    return query < 0 ? matchRoute(path, '') : matchRoute(path.slice(0, query), path.slice(query));
  }, [path]);

  useEffect(() => {
    const isPublic = (PUBLIC_ROUTES as readonly string[]).includes(route.name);
    if (state.status === 'signed-out' && route.name !== 'login' && !isPublic) navigate(loginPathFromHere(), { replace: true });
    if (state.status === 'signed-in' && route.name === 'login') navigate(route.next ?? '/', { replace: true });
  }, [state.status, route]);

  switch (state.status) {
    case 'loading':
      return <Splash text={t.app.loading} />;
    case 'unreachable':
      return (
        <main id="main" className="splash">
          <ErrorNotice error={state.error} onRetry={retry} />
        </main>
      );
    case 'signed-out':
      if (route.name === 'reset' || route.name === 'invitation') return route.name === 'reset' ? <ResetPage token={route.token} /> : <InvitationPage token={route.token} />;
      if (route.name === 'register') return <RegisterPage />;
      return route.name === 'login' ? <LoginPage /> : <Splash text={t.app.loading} />;
    case 'signed-in':
      if (route.name === 'login') return <Splash text={t.app.loading} />;
      return (
        <LiveEventsProvider>
          <Shell user={state.user} route={route} path={path} />
        </LiveEventsProvider>
      );
    default:
      return state satisfies never;
  }
}

function Splash({ text }: { text: string }) {
  return (
    <main id="main" className="splash">
      <p className="muted">{text}</p>
    </main>
  );
}

function Shell({ user, route, path }: { user: User; route: Exclude<Route, { name: 'login' }>; path: string }) {
  const { t } = useI18n();
  const { signOut } = useSession();
  const main = useRef<HTMLElement>(null);
  const previousPath = useRef(path);
  const demoAvailable = useDemoAvailable();
  const answers = user.role === 'patient' || user.role === 'relative';

  // Questionnaire answers kept offline on this device leave now and whenever the connection returns.
  useEffect(() => (answers ? startOutboxSync() : undefined), [answers]);

  // After an in-app navigation, move focus to the new page's heading, as a page load would.
  useEffect(() => {
    if (previousPath.current === path) return;
    previousPath.current = path;
    const heading = main.current?.querySelector<HTMLElement>('h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    } else main.current?.focus();
  }, [path]);

  return (
    <>
      <a
        className="skip-link"
        href="#main"
        onClick={(event) => {
          // Move focus ourselves: leaves the URL alone and works the same in every browser.
          event.preventDefault();
          main.current?.focus();
        }}
      >
        {t.app.skipToContent}
      </a>
      <AppHeader user={user} route={route} demoAvailable={demoAvailable} onSignOut={() => void signOut()} />
      <main id="main" ref={main} className="page" tabIndex={-1}>
        <Page route={route} user={user} />
      </main>
    </>
  );
}

function Page({ route, user }: { route: Exclude<Route, { name: 'login' }>; user: User }) {
  const care = user.role === 'doctor' || user.role === 'nurse';
  // A staff account without its second factor may only enrol (the server refuses the rest).
  const gate = useSecondFactorGate(user.id);
  if (gate.needed || route.name === 'totp') return <TotpEnrolPage onDone={() => { gate.done(); navigate('/'); }} />;
  switch (route.name) {
    case 'reset':
      return <ResetPage token={route.token} />;
    case 'invitation':
      return <InvitationPage token={route.token} />;
    case 'register':
      return <RegisterPage />;
    case 'admin':
      return user.role === 'admin' ? <AdminPage tab={route.tab} /> : <NotFoundPage />;
    case 'home':
      return <HomePage user={user} />;
    // A patient's pages are the care team's; other roles have their own (the server refuses them too).
    case 'patient':
      return care ? <PatientDashboardPage key={route.id} patientId={route.id} role={user.role} /> : <NotFoundPage />;
    case 'alert':
      return care ? <AlertPage key={route.id} alertId={route.id} role={user.role} /> : <NotFoundPage />;
    case 'summary':
      return care ? <SummaryPage key={route.id} patientId={route.id} role={user.role} /> : <NotFoundPage />;
    case 'box-config':
      return care ? <BoxConfigPage key={route.id} patientId={route.id} role={user.role} /> : <NotFoundPage />;
    case 'inbox':
      return <InboxPage role={user.role} />;
    case 'questionnaire':
      return user.role === 'patient' || user.role === 'relative' ? <QuestionnairePage role={user.role} /> : <NotFoundPage />;
    case 'fleet':
      return <FleetPage role={user.role} />;
    case 'tickets':
      return <TicketsPage role={user.role} />;
    case 'demo':
      return <DemoPage />;
    case 'not-found':
      return <NotFoundPage />;
    default:
      return route satisfies never;
  }
}

/** Whether the server runs in demo mode (`/demo/api/*` answers); the link is hidden otherwise. */
function useDemoAvailable(): boolean {
  const [available, setAvailable] = useState(false);
  useEffect(() => {
    const controller = new AbortController();
    fetchDemoSms({ signal: controller.signal }).then(
      () => setAvailable(true),
      () => setAvailable(false),
    );
    return () => controller.abort();
  }, []);
  return available;
}
