/**
 * `/` for an admin: what waits for them (registrations to review, devices not assigned) and a
 * door to each part of the administration. The admin sees no patient's measurements, so the
 * care team's patient list is not their home.
 */
import { useDocumentTitle } from '../ui/hooks/use-document-title.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../ui/navigation.tsx';
import { useAdmin } from './admin-common.tsx';
import { ADMIN_TABS } from './admin-tabs.ts';

interface Pending { registrations: { status: string }[] }
interface Devices { devices: { current: unknown }[] }

export function AdminHomePage() {
  const { t } = useI18n();
  const a = t.accounts;
  useDocumentTitle(a.homeTitle, t.app.name);
  const registrations = useAdmin<Pending>('registrations').data?.registrations;
  const devices = useAdmin<Devices>('devices').data?.devices;
  const pending = registrations?.filter((r) => r.status === 'pending').length;
  const unassigned = devices?.filter((d) => d.current === null).length;
  return (
    <div className="admin admin-home">
      <h1>{a.homeTitle}</h1>
      <ul className="admin-home__todo" aria-live="polite" data-testid="admin-todo">
        <li data-testid="admin-todo-registrations">
          <Link href="/admin/registrations">{pending === undefined ? a.tabs.registrations : a.pendingRegistrations(pending)}</Link>
        </li>
        <li data-testid="admin-todo-devices">
          <Link href="/admin/devices">{unassigned === undefined ? a.tabs.devices : a.unassignedDevices(unassigned)}</Link>
        </li>
      </ul>
      <nav aria-label={a.admin}>
        <ul className="admin-home__doors">
          {ADMIN_TABS.map((tab) => (
            <li key={tab}>
              <Link href={`/admin/${tab}`} className="admin-home__door">
                <span className="admin-home__door-title">{a.tabs[tab]}</span>
                <span className="muted small">{a.tabHints[tab]}</span>
              </Link>
            </li>
          ))}
        </ul>
      </nav>
    </div>
  );
}
