/**
 * The doctor's patient page: heart rate, SpO2 and steps over a day, a week, a month or a chosen
 * period, downsampled by the server (at most 1,000 points per series, min–max band around the
 * mean), gaps drawn as breaks, alerts as red lines on the time axis and listed beside. Live
 * readings and alerts arrive without a reload; after a lost stream everything reloads.
 */
import { useState } from 'react';
import { ApiError } from '../api/client.ts';
import { fetchAlerts, fetchPatients } from '../api/endpoints.ts';
import type { AlertEventMessage, PortalAlert, Role } from '../api/types.ts';
import type { BucketedSeries, BucketPoint, PatientDashboard } from '../api/types.ts';
import { fetchDashboard } from '../api/endpoints.ts';
import { alertStateText } from '../ui/alert-item.tsx';
import { AlertPanel, type Announcement } from '../ui/alert-panel.tsx';
import { ErrorNotice } from '../ui/error-notice.tsx';
import { RelativeTime } from '../ui/relative-time.tsx';
import { useDocumentTitle } from '../ui/hooks/use-document-title.ts';
import { useNow } from '../ui/hooks/use-now.ts';
import { useResource } from '../ui/hooks/use-resource.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { upsertAlert } from '../ui/alerts.ts';
import { useLiveEvent, useResumeKey } from '../ui/live.tsx';
import { Link } from '../ui/navigation.tsx';
import { BucketChart } from '../ui/bucket-chart.tsx';
import { CustomRangeForm, formatDuration, RoleNav } from '../ui/page-parts.tsx';
import { ReportsSection } from './reports-section.tsx';
import { QuestionnaireSection } from './questionnaire/questionnaire-section.tsx';

const DAY_MS = 86_400_000;
const RANGES = { day: DAY_MS, week: 7 * DAY_MS, month: 30 * DAY_MS } as const;
type RangeKey = keyof typeof RANGES | 'custom';
const RANGE_KEYS: RangeKey[] = ['day', 'week', 'month', 'custom'];

const HEART_RATE_COLOR = '#1d4ed8';
const SPO2_COLOR = '#0f766e';
const STEPS_COLOR = '#6d28d9';

/** Append a live reading to a downsampled series when it is past the last bucket (a new point). */
function appendLive(series: BucketedSeries, ts: number, value: number): BucketedSeries {
  const last = series.points.at(-1);
  if (last && ts <= last[0]) return series;
  const point: BucketPoint = [ts, value, value, value];
  return { ...series, readings: series.readings + 1, points: [...series.points, point] };
}

export function PatientDashboardPage({ patientId, role }: { patientId: string; role: Role }) {
  const { t, f } = useI18n();
  const v = useI18n().t;
  const boxConfigText = useI18n().t.boxConfig;
  const [range, setRange] = useState<RangeKey>('day');
  const [custom, setCustom] = useState<{ from: number; to: number } | null>(null);
  const now = useNow(30_000);
  const resumeKey = useResumeKey();
  const [freshIds, setFreshIds] = useState<ReadonlySet<string>>(() => new Set());
  const [announcement, setAnnouncement] = useState<Announcement | null>(null);

  const patients = useResource((signal) => fetchPatients({ signal }), [resumeKey]);
  const patient = patients.resource.data?.find((p) => p.id === patientId);
  const name = patient?.displayName ?? t.patient.titleFallback;
  useDocumentTitle(name, t.app.name);

  const windowKey = range === 'custom' ? `custom:${custom?.from}:${custom?.to}` : range;
  const dashboard = useResource(
    async (signal): Promise<PatientDashboard & { key: string }> => {
      const to = range === 'custom' && custom ? custom.to : Date.now();
      const from = range === 'custom' && custom ? custom.from : to - RANGES[range === 'custom' ? 'day' : range];
      return { ...(await fetchDashboard(patientId, from, to, { signal })), key: windowKey };
    },
    [patientId, windowKey, resumeKey],
  );
  const alerts = useResource((signal) => fetchAlerts(patientId, 50, { signal }), [patientId, resumeKey]);

  useLiveEvent('reading', (event) => {
    if (event.patientId !== patientId || range === 'custom') return;
    const metric = event.metric === 'heart_rate' || event.metric === 'spo2' || event.metric === 'steps' ? event.metric : null;
    if (!metric) return;
    dashboard.setData((d) => ({ ...d, series: { ...d.series, [metric]: appendLive(d.series[metric], event.ts, event.value) } }));
  });

  useLiveEvent('alert', (event: AlertEventMessage) => {
    if (event.patientId !== patientId) return;
    const { alert } = event;
    const known = alerts.resource.data?.some((a) => a.alertId === alert.alertId) ?? false;
    alerts.setData((list) => upsertAlert(list, alert));
    if (!known) {
      setFreshIds((ids) => new Set(ids).add(alert.alertId));
      dashboard.setData((d) => ({ ...d, alerts: [...d.alerts, { alertId: alert.alertId, number: alert.number, kind: alert.kind, severity: alert.severity, state: alert.state, raisedAt: alert.raisedAt }] }));
    }
    setAnnouncement((previous) => ({
      id: (previous?.id ?? 0) + 1,
      assertive: !known && alert.severity === 'critical',
      text: known
        ? t.alerts.announceUpdate(t.alerts.kinds[alert.kind], alert.number, alertStateText({ t }, alert))
        : t.alerts.announceNew(t.alerts.kinds[alert.kind], f.time(alert.raisedAt)),
    }));
  });

  const data = dashboard.resource.data?.key === windowKey ? dashboard.resource.data : undefined;
  const isLive = range !== 'custom';
  const to = data ? (isLive ? Math.max(now, data.to) : data.to) : now;
  const from = data ? (isLive ? to - (data.to - data.from) : data.from) : now - DAY_MS;
  const rangeLabel = v.dashboard.rangeLong[range];
  const missing = [dashboard.resource, alerts.resource].find((r) => r.status === 'error' && r.error instanceof ApiError && r.error.kind === 'not_found');

  if (missing?.status === 'error') {
    return (
      <>
        <div className="page-head">
          <h1>{t.patient.titleFallback}</h1>
        </div>
        <ErrorNotice error={missing.error} />
        <p>
          <Link href="/">{t.app.backToList}</Link>
        </p>
      </>
    );
  }

  const markers = data?.alerts ?? [];
  const chart = (key: 'heart_rate' | 'spo2' | 'steps', label: string, unit: string, color: string, band: string, soft: [number, number], hardMax?: number) => {
    const series = data?.series[key];
    const points = series?.points ?? [];
    const headingId = `${key}-title`;
    return (
      <section className="panel measurement" aria-labelledby={headingId} aria-busy={!data}>
        <div className="measurement__head">
          <h2 id={headingId} className="panel__title">
            {label}
          </h2>
          {series && (
            <p className="measurement__summary muted small" data-testid={`${key}-resolution`}>
              {v.dashboard.resolution(formatDuration(series.bucketMs), f.number(series.readings))}
            </p>
          )}
        </div>
        <BucketChart
          testId={key === 'heart_rate' ? 'heart-rate-chart' : key === 'spo2' ? 'spo2-chart' : 'steps-chart'}
          points={points}
          markers={markers}
          from={from}
          to={to}
          label={label}
          accessibleLabel={t.patient.chartLabel(label, rangeLabel, series?.readings ?? 0)}
          unit={unit}
          color={color}
          bandColor={band}
          bars={key === 'steps'}
          softMin={soft[0]}
          softMax={soft[1]}
          {...(hardMax === undefined ? {} : { hardMax })}
        />
        {data && points.length === 0 && <p className="measurement__empty muted">{t.patient.noData}</p>}
      </section>
    );
  };

  return (
    <>
      <RoleNav role={role} />
      <p className="back">
        <Link href="/">{t.app.backToList}</Link>
      </p>
      <div className="page-head page-head--patient">
        <div>
          <h1 data-testid="patient-name">{name}</h1>
          {patient && (
            <p className="muted">
              {patient.boxId ? <span className="mono">{t.patient.box(patient.boxId)}</span> : t.patients.noBox}
              {patient.lastReadingAt !== null && (
                <>
                  {' · '}
                  {t.patients.lastDataLabel} <RelativeTime ms={patient.lastReadingAt} now={now} />
                </>
              )}
              {' · '}
              <Link href={`/patients/${encodeURIComponent(patientId)}/summary`} data-testid="summary-link">
                {v.dashboard.summaryLink}
              </Link>
              {' · '}
              <Link href={`/patients/${encodeURIComponent(patientId)}/box-config`} data-testid="box-config-link">
                {boxConfigText.link}
              </Link>
            </p>
          )}
        </div>
        <div className="range" role="group" aria-label={t.patient.range}>
          <span className="range__label" aria-hidden="true">
            {t.patient.range}
          </span>
          {RANGE_KEYS.map((key) => (
            <button
              key={key}
              type="button"
              className="range__button"
              aria-pressed={key === range}
              data-testid={`range-${key}`}
              onClick={() => {
                if (key === 'custom' && !custom) setCustom({ from: Date.now() - 14 * DAY_MS, to: Date.now() });
                setRange(key);
              }}
            >
              {v.dashboard.ranges[key]}
            </button>
          ))}
        </div>
      </div>
      {range === 'custom' && custom && (
        <CustomRangeForm testId="custom-range" from={custom.from} to={custom.to} onApply={(a, b) => setCustom({ from: a, to: b })} />
      )}
      <p className="muted small" data-testid="marker-count">
        {v.dashboard.markers(markers.length)} {v.dashboard.gapsNote}
      </p>

      <div className="patient-grid">
        <div className="patient-grid__charts">
          {dashboard.resource.status === 'error' && <ErrorNotice error={dashboard.resource.error} onRetry={dashboard.reload} />}
          {chart('heart_rate', t.patient.heartRate, t.patient.unitBpm, HEART_RATE_COLOR, 'rgba(29, 78, 216, 0.15)', [40, 120])}
          {chart('spo2', t.patient.spo2, t.patient.unitPercent, SPO2_COLOR, 'rgba(15, 118, 110, 0.15)', [88, 100], 100)}
          {chart('steps', v.dashboard.steps, v.dashboard.unitSteps, STEPS_COLOR, 'rgba(109, 40, 217, 0.15)', [0, 100])}
        </div>
        <AlertPanel alerts={alerts.resource.data ?? noAlerts} freshIds={freshIds} announcement={announcement} loaded={alerts.resource.data !== undefined}>
          {alerts.resource.status === 'error' && <ErrorNotice error={alerts.resource.error} onRetry={alerts.reload} />}
          {alerts.resource.status === 'loading' && !alerts.resource.data && <p className="muted">{t.app.loading}</p>}
        </AlertPanel>
      </div>
      {(role === 'doctor' || role === 'nurse') && <ReportsSection patientId={patientId} role={role} />}
      <QuestionnaireSection patientId={patientId} role={role} />
    </>
  );
}

const noAlerts: readonly PortalAlert[] = [];
