/** `/`: each role's own first page. */
import { AdminHomePage } from '../admin/admin-home-page.tsx';
import type { User } from '../api/types.ts';
import { PatientListPage } from '../care/patient-list-page.tsx';
import { MyStatusPage } from '../my/my-status-page.tsx';
import { RelativeAlertsPage } from '../relative/relative-alerts-page.tsx';
import { FleetPage } from '../support/fleet-page.tsx';

export function HomePage({ user }: { user: User }) {
  switch (user.role) {
    case 'doctor':
    case 'nurse':
      return <PatientListPage role={user.role} />;
    case 'relative':
      return <RelativeAlertsPage />;
    case 'patient':
      return <MyStatusPage />;
    case 'support':
      return <FleetPage role={user.role} />;
    case 'admin':
      return <AdminHomePage />;
    default:
      return user.role satisfies never;
  }
}
