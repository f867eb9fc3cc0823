/**
 * One patient: heart rate and SpO2 over 24 h / 7 d / 30 d, filled live from `reading` events, and
 * the alerts, with new ones arriving live at the top. After the live stream comes back from a
 * loss, everything reloads to catch up on what was missed.
 */
import { useState } from 'react';
import { ApiError } from '../api/client.ts';
import { fetchAlerts, fetchMeasurements, fetchPatients } from '../api/endpoints.ts';
import type { AlertEventMessage, PortalAlert } from '../api/types.ts';
import { alertStateText } from '../components/alert-item.tsx';
import { AlertPanel, type Announcement } from '../components/alert-panel.tsx';
import { ErrorNotice } from '../components/error-notice.tsx';
import { MeasurementPanel } from '../components/measurement-panel.tsx';
import { RelativeTime } from '../components/relative-time.tsx';
import { useDocumentTitle } from '../hooks/use-document-title.ts';
import { useNow } from '../hooks/use-now.ts';
import { useResource } from '../hooks/use-resource.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { upsertAlert } from '../lib/alerts.ts';
import { appendPoint, type Point } from '../lib/series.ts';
import { useLiveEvent, useResumeKey } from '../live.tsx';
import { Link } from '../router.tsx';

const HOUR_MS = 3_600_000;
const RANGES = { '24h': 24 * HOUR_MS, '7d': 7 * 24 * HOUR_MS, '30d': 30 * 24 * HOUR_MS } as const;
type RangeKey = keyof typeof RANGES;
const RANGE_KEYS = Object.keys(RANGES) as RangeKey[];

/** Colours chosen for contrast on white (≥ 4.5:1); red is kept for critical alerts. */
const HEART_RATE_COLOR = '#1d4ed8';
const SPO2_COLOR = '#0f766e';

interface Series {
  /** The period these points cover: shown only under that period's button. */
  rangeMs: number;
  heartRate: readonly Point[];
  spo2: readonly Point[];
  /** Bucket widths when the API downsampled (long periods), else null. */
  bucketMs: { heartRate: number | null; spo2: number | null };
}

export function PatientPage({ patientId }: { patientId: string }) {
  const { t, f } = useI18n();
  const [range, setRange] = useState<RangeKey>('24h');
  const rangeMs = RANGES[range];
  const now = useNow(30_000);
  const resumeKey = useResumeKey();
  const [freshIds, setFreshIds] = useState<ReadonlySet<string>>(() => new Set());
  const [announcement, setAnnouncement] = useState<Announcement | null>(null);

  const patients = useResource((signal) => fetchPatients({ signal }), [resumeKey]);
  const patient = patients.resource.data?.find((p) => String(p.id) === patientId);
  const name = patient?.displayName ?? t.patient.titleFallback;
  useDocumentTitle(name, t.app.name);

  const series = useResource(
    async (signal): Promise<Series> => {
      const to = Date.now();
      const from = to - rangeMs;
      const [heartRate, spo2] = await Promise.all([
        fetchMeasurements(patientId, 'heart_rate', from, to, { signal }),
        fetchMeasurements(patientId, 'spo2', from, to, { signal }),
      ]);
      return {
        rangeMs,
        heartRate: heartRate.points,
        spo2: spo2.points,
        bucketMs: { heartRate: heartRate.bucketMs ?? null, spo2: spo2.bucketMs ?? null },
      };
    },
    [patientId, rangeMs, resumeKey],
  );

  const alerts = useResource((signal) => fetchAlerts(patientId, 50, { signal }), [patientId, resumeKey]);

  useLiveEvent('reading', (event) => {
    if (event.patientId !== patientId) return;
    const key = event.metric === 'heart_rate' ? 'heartRate' : event.metric === 'spo2' ? 'spo2' : null;
    if (!key) return;
    const windowStart = Date.now() - rangeMs;
    series.setData((data) => ({ ...data, [key]: appendPoint(data[key], [event.ts, event.value], windowStart) }));
  });

  useLiveEvent('alert', (event: AlertEventMessage) => {
    if (event.patientId !== patientId) return;
    const { alert } = event;
    const known = alerts.resource.data?.some((a) => a.alertId === alert.alertId) ?? false;
    alerts.setData((list) => upsertAlert(list, alert));
    if (!known) setFreshIds((ids) => new Set(ids).add(alert.alertId));
    setAnnouncement((previous) => ({
      id: (previous?.id ?? 0) + 1,
      assertive: !known && alert.severity === 'critical',
      text: known
        ? t.alerts.announceUpdate(t.alerts.kinds[alert.kind], alert.number, alertStateText({ t }, alert))
        : t.alerts.announceNew(t.alerts.kinds[alert.kind], f.time(alert.raisedAt)),
    }));
  });

  // After a change of period, the previous period's points are not shown on the new axis.
  const data = series.resource.data?.rangeMs === rangeMs ? series.resource.data : undefined;
  const lastTs = Math.max(data?.heartRate.at(-1)?.[0] ?? 0, data?.spo2.at(-1)?.[0] ?? 0);
  // The window ends now, or at the latest reading if the box's clock runs a little ahead.
  const to = Math.max(now, lastTs);
  const from = to - rangeMs;
  const rangeLabel = t.patient.rangeLong[range];
  // Not one of this user's patients (or no such patient): one message, not one per panel.
  const missing = [series.resource, alerts.resource].find((r) => r.status === 'error' && isNotFound(r.error));

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

  return (
    <>
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
                  {t.patients.lastDataLabel} <RelativeTime ms={Math.max(patient.lastReadingAt, lastTs)} now={now} />
                </>
              )}
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
              onClick={() => setRange(key)}
            >
              {t.patient.ranges[key]}
            </button>
          ))}
        </div>
      </div>

      <div className="patient-grid">
        <div className="patient-grid__charts">
          {series.resource.status === 'error' && <ErrorNotice error={series.resource.error} onRetry={series.reload} />}
          <MeasurementPanel
            headingId="heart-rate-title"
            testId="heart-rate-chart"
            label={t.patient.heartRate}
            unit={t.patient.unitBpm}
            color={HEART_RATE_COLOR}
            digits={0}
            softMin={40}
            softMax={120}
            points={data?.heartRate ?? []}
            bucketMs={data?.bucketMs.heartRate ?? null}
            from={from}
            to={to}
            now={now}
            rangeLabel={rangeLabel}
            loaded={data !== undefined}
          />
          <MeasurementPanel
            headingId="spo2-title"
            testId="spo2-chart"
            label={t.patient.spo2}
            unit={t.patient.unitPercent}
            color={SPO2_COLOR}
            digits={0}
            softMin={88}
            softMax={100}
            hardMax={100}
            points={data?.spo2 ?? []}
            bucketMs={data?.bucketMs.spo2 ?? null}
            from={from}
            to={to}
            now={now}
            rangeLabel={rangeLabel}
            loaded={data !== undefined}
          />
        </div>
        <AlertPanel
          alerts={alerts.resource.data ?? noAlerts} freshIds={freshIds}
          announcement={announcement}
          loaded={alerts.resource.data !== undefined}
        >
          {alerts.resource.status === 'error' && <ErrorNotice error={alerts.resource.error} onRetry={alerts.reload} />}
          {alerts.resource.status === 'loading' && !alerts.resource.data && <p className="muted">{t.app.loading}</p>}
        </AlertPanel>
      </div>
    </>
  );
}

const noAlerts: readonly PortalAlert[] = [];

function isNotFound(error: unknown): boolean {
  return error instanceof ApiError && error.kind === 'not_found';
}
