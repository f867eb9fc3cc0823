/** Pieces the role pages share: the role's page links, equipment badges, durations, a date range form. */
import { useState, type FormEvent } from 'react';
import type { DeviceProblem, Role } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link, useLocationPath } from './navigation.tsx';

/** The pages of each role, as links under the header (obvious next steps for non-technical users). */
export function RoleNav({ role }: { role: Role }) {
  const v = useI18n().t;
  const path = useLocationPath().split('?')[0];
  const links: { href: string; label: string }[] =
    role === 'doctor' || role === 'nurse'
      ? [
          { href: '/', label: v.nav.patients },
          { href: '/inbox', label: v.nav.inbox },
        ]
      : role === 'support' || role === 'admin'
        ? [
            { href: '/fleet', label: v.nav.fleet },
            { href: '/support/tickets', label: v.nav.tickets },
          ]
        : [];
  if (links.length === 0) return null;
  return (
    <nav className="role-nav" aria-label={v.nav.label} data-testid="role-nav">
      {links.map((l) => (
        <Link key={l.href} href={l.href} className="role-nav__link" aria-current={path === l.href ? 'page' : undefined}>
          {l.label}
        </Link>
      ))}
    </nav>
  );
}

/** Equipment problems as badges, or "all working". */
export function ProblemBadges({ problems }: { problems: readonly DeviceProblem[] }) {
  const v = useI18n().t;
  if (problems.length === 0) return <span className="badge badge--calm">{v.care.devicesOk}</span>;
  return (
    <ul className="problems" data-testid="device-problems">
      {problems.map((p) => (
        <li key={p} className="badge badge--warning" data-problem={p}>
          {v.problems[p]}
        </li>
      ))}
    </ul>
  );
}

/** A bucket width in words: "2 min", "43 min", "1 h", "1 h 30". */
export function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return `${Math.round(ms / 1000)} s`;
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h} h` : `${h} h ${String(m).padStart(2, '0')}`;
}

/** `YYYY-MM-DD` of `ms` in the browser's time zone (what a date input shows). */
export function dateInputValue(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** A custom period picked by date: from the first day's start to the last day's end. */
export function CustomRangeForm({ from, to, onApply, testId }: { from: number; to: number; onApply: (from: number, to: number) => void; testId: string }) {
  const v = useI18n().t;
  const [start, setStart] = useState(dateInputValue(from));
  const [end, setEnd] = useState(dateInputValue(to));
  const [error, setError] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const a = new Date(`${start}T00:00:00`).getTime();
    const b = new Date(`${end}T23:59:59.999`).getTime();
    if (!Number.isFinite(a) || !Number.isFinite(b) || a >= b) {
      setError(v.dashboard.invalidRange);
      return;
    }
    setError(null);
    onApply(a, b);
  };
  return (
    <form className="custom-range" onSubmit={submit} data-testid={testId} noValidate>
      <div className="field field--inline">
        <label htmlFor={`${testId}-from`}>{v.dashboard.from}</label>
        <input id={`${testId}-from`} name="from" type="date" value={start} onChange={(e) => setStart(e.target.value)} required />
      </div>
      <div className="field field--inline">
        <label htmlFor={`${testId}-to`}>{v.dashboard.to}</label>
        <input id={`${testId}-to`} name="to" type="date" value={end} onChange={(e) => setEnd(e.target.value)} required />
      </div>
      <button type="submit" className="button button--secondary">
        {v.dashboard.apply}
      </button>
      {error && (
        <p className="notice notice--error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
