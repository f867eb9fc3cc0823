/** `/`: each role's own first page. */
import type { User } from '../api/types.ts';
import { PatientListPage } from '../pages/patient-list-page.tsx';
import { CareListPage } from './care-list-page.tsx';
import { FleetPage } from './fleet-page.tsx';
import { MyStatusPage } from './my-status-page.tsx';
import { RelativeAlertsPage } from './relative-alerts-page.tsx';

export function HomePage({ user }: { user: User }) {
  switch (user.role) {
    case 'doctor':
    case 'nurse':
      return <CareListPage role={user.role} />;
    case 'relative':
      return <RelativeAlertsPage />;
    case 'patient':
      return <MyStatusPage />;
    case 'support':
      return <FleetPage role={user.role} />;
    default:
      return <PatientListPage />;
  }
}
