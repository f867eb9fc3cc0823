/** The bar on every signed-in page: product, navigation, live status, language, user, sign-out. */
import { useSecondFactorGate } from '../accounts/second-factor-gate.ts';
import type { User } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../ui/navigation.tsx';
import { BrandMark } from '../ui/brand-mark.tsx';
import { ConnectionIndicator } from '../ui/connection-indicator.tsx';
import { LanguageSwitch } from '../ui/language-switch.tsx';
import type { Route } from './routes.ts';

export interface AppHeaderProps {
  user: User;
  route: Route;
  demoAvailable: boolean;
  onSignOut: () => void;
}

export function AppHeader({ user, route, demoAvailable, onSignOut }: AppHeaderProps) {
  const { t } = useI18n();
  // While the account must enrol its second factor, every path shows the enrolment page: no
  // navigation item is the current page then.
  const enrolling = useSecondFactorGate(user.id).needed || route.name === 'totp';
  const current = (here: boolean) => (here && !enrolling ? 'page' : undefined);
  const onHome = route.name === 'home' || route.name === 'patient' || route.name === 'summary' || route.name === 'box-config';
  // The first link leads to the role's home: the patients for the care team, a home of its own
  // for everyone else (a relative's alerts, a patient's status, the fleet, the admin's page).
  const home = user.role === 'doctor' || user.role === 'nurse' ? t.header.patients : t.header.home;
  return (
    <header className="app-header">
      <div className="app-header__inner">
        <Link href="/" className="brand" aria-label={`${t.app.name} — ${home}`}>
          <BrandMark />
          <span className="brand__name">{t.app.name}</span>
          <span className="brand__tagline">{t.app.tagline}</span>
        </Link>
        <nav className="app-nav" aria-label={t.header.mainNav}>
          <Link href="/" className="app-nav__link" aria-current={current(onHome)}>
            {home}
          </Link>
          {(user.role === 'patient' || user.role === 'relative') && (
            <Link href="/questionnaire" className="app-nav__link" data-testid="nav-questionnaire" aria-current={current(route.name === 'questionnaire')}>
              {t.questionnaire.title}
            </Link>
          )}
          {user.role === 'admin' && (
            <Link href="/admin" className="app-nav__link" data-testid="nav-admin" aria-current={current(route.name === 'admin')}>
              {t.header.admin}
            </Link>
          )}
          {demoAvailable && (
            <Link
              href="/demo"
              className="app-nav__link"
              data-testid="nav-demo"
              aria-current={current(route.name === 'demo')}
            >
              {t.header.demo}
            </Link>
          )}
        </nav>
        <ConnectionIndicator />
        <div className="app-header__language">
          <LanguageSwitch />
        </div>
        <p className="user">
          <span className="visually-hidden">{t.header.signedInAs} </span>
          {/* The title shows a name the header had to shorten (ellipsis) in full. */}
          <span className="user__name" data-testid="user-name" title={user.displayName}>
            {user.displayName}
          </span>
          <span className="user__role">{t.roles[user.role] ?? user.role}</span>
        </p>
        <button type="button" className="button button--quiet logout" onClick={onSignOut} data-testid="logout">
          {t.header.logout}
        </button>
      </div>
    </header>
  );
}
