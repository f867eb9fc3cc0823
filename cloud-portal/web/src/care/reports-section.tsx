/**
 * The reports section of a patient's page (issue 13): the list of reports with download links
 * (doctor and nurse), and for the doctor the frequency form and "ask for a report now". Plain
 * forms with labels; status messages in a polite live region.
 */
import { useState, type FormEvent } from 'react';
import { fetchPatientReports, reportFileUrl, requestReport, saveReportSchedule, type ReportSchedule } from '../api/endpoints.ts';
import type { Role } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { ErrorNotice } from '../ui/error-notice.tsx';
import { useResource } from '../ui/hooks/use-resource.ts';

const FREQUENCIES = ['weekly', 'biweekly', 'monthly', 'custom'] as const;
const day = (date: string) => `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
const lastDay = (to: string) => new Date(Date.parse(`${to}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);

export function ReportsSection({ patientId, role }: { patientId: string; role: Role }) {
  const { t } = useI18n();
  const r = t.reports;
  const doctor = role === 'doctor';
  const data = useResource((signal) => fetchPatientReports(patientId, { signal }), [patientId]);
  const schedule = data.resource.data?.schedule ?? null;
  const [form, setForm] = useState<ReportSchedule | null>(null);
  const current: ReportSchedule = form ?? schedule ?? { frequency: 'monthly', customDays: null, anchorDate: new Date().toISOString().slice(0, 8) + '01' };
  const [period, setPeriod] = useState({ from: '', to: '' });
  const [status, setStatus] = useState('');
  const [error, setError] = useState<unknown>(null);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await saveReportSchedule(patientId, { ...current, customDays: current.frequency === 'custom' ? (current.customDays ?? 7) : null });
      setStatus(r.saved);
      data.reload();
    } catch (err) {
      setError(err);
    }
  };
  const ask = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await requestReport(patientId, period.from, period.to);
      setStatus(r.requested);
      data.reload();
    } catch (err) {
      setError(err);
    }
  };

  const reports = data.resource.data?.reports ?? [];
  const pending = data.resource.data?.pending ?? [];
  return (
    <section className="panel reports" aria-labelledby="reports-heading" data-testid="reports-section">
      <h2 id="reports-heading" className="panel__title">
        {r.heading}
      </h2>
      <p className="muted small">{r.intro}</p>
      {data.resource.status === 'error' && <ErrorNotice error={data.resource.error} onRetry={data.reload} />}
      {error !== null && <ErrorNotice error={error} />}
      <p role="status" aria-live="polite" className="small">
        {status}
      </p>

      <h3>{r.listHeading}</h3>
      {pending.some((p) => p.state === 'pending') && <p className="muted small">{r.pending(pending.filter((p) => p.state === 'pending').length)}</p>}
      {pending.some((p) => p.state === 'dead') && <p className="small">{r.failed(pending.filter((p) => p.state === 'dead').length)}</p>}
      {reports.length === 0 ? (
        <p className="muted">{r.empty}</p>
      ) : (
        <ul className="reports__list" data-testid="reports-list">
          {reports.map((report) => {
            const label = r.period(day(report.from), day(lastDay(report.to)));
            return (
              <li key={report.id}>
                <span>{label}</span> <span className="muted small">({r.kinds[report.kind] ?? report.kind})</span>{' '}
                <a href={reportFileUrl(report.id)} download aria-label={r.downloadLabel(label)}>
                  {r.download}
                </a>
              </li>
            );
          })}
        </ul>
      )}

      {!doctor && <p className="muted small">{r.readOnly}</p>}
      {doctor && (
        <>
          <h3>{r.frequencyHeading}</h3>
          <p className="small">{schedule ? r.current(r.frequencies[schedule.frequency]) : r.none}</p>
          <form onSubmit={save} className="reports__form" data-testid="report-schedule-form">
            <label>
              {r.frequency}{' '}
              <select value={current.frequency} onChange={(e) => setForm({ ...current, frequency: e.target.value as ReportSchedule['frequency'] })}>
                {FREQUENCIES.map((f) => (
                  <option key={f} value={f}>
                    {r.frequencies[f]}
                  </option>
                ))}
              </select>
            </label>{' '}
            {current.frequency === 'custom' && (
              <label>
                {r.customDays}{' '}
                <input type="number" min={1} max={366} required value={current.customDays ?? 7} onChange={(e) => setForm({ ...current, customDays: Number(e.target.value) })} />
              </label>
            )}{' '}
            <label>
              {r.anchorDate} <input type="date" required value={current.anchorDate} onChange={(e) => setForm({ ...current, anchorDate: e.target.value })} />
            </label>{' '}
            <button type="submit">{r.save}</button>
          </form>

          <h3>{r.requestHeading}</h3>
          <form onSubmit={ask} className="reports__form" data-testid="report-request-form">
            <label>
              {r.from} <input type="date" required value={period.from} onChange={(e) => setPeriod({ ...period, from: e.target.value })} />
            </label>{' '}
            <label>
              {r.to} <input type="date" required value={period.to} onChange={(e) => setPeriod({ ...period, to: e.target.value })} />
            </label>{' '}
            <button type="submit">{r.request}</button>
          </form>
        </>
      )}
    </section>
  );
}
