/**
 * An alert's page (issue 16): how long each stage took, from the bracelet's detection to the
 * person who took it in charge — « Chute détectée 10:02:11 · SMS envoyés +1,2 s · pris en charge
 * par Sophie +3 min ». The box's times are on the cloud's clock (the API recalibrates them).
 */
import { fetchAlertTimeline } from '../api/endpoints.ts';
import type { AlertStage, AlertTimelineView, Role } from '../api/types.ts';
import { useI18n, type I18n } from '../i18n/i18n.tsx';
import { ErrorNotice } from '../ui/error-notice.tsx';
import { useDocumentTitle } from '../ui/hooks/use-document-title.ts';
import { useResource } from '../ui/hooks/use-resource.ts';
import { useLiveEvent, useResumeKey } from '../ui/live.tsx';
import { Link } from '../ui/navigation.tsx';
import { RoleNav } from '../ui/page-parts.tsx';
import { elapsed } from '../ui/elapsed.ts';

function stageText(i18n: I18n, view: AlertTimelineView, stage: AlertStage, first: boolean): string {
  const { t } = i18n;
  const w = t.alertTimeline;
  const kind = t.alerts.kinds[view.alert.kind] ?? view.alert.kind;
  // The kind's words already say it was detected (« Chute détectée »).
  if (first) return stage.stage === 'detected' ? kind : w.first(kind, w.stages[stage.stage]);
  if (stage.stage === 'sms_accepted' && stage.contact) return w.smsTo(stage.contact);
  if (stage.stage === 'acknowledged' && stage.by) return w.ackBy(stage.by);
  return w.stages[stage.stage];
}

/** The one-line summary: the first stage's time, then the first SMS and the acknowledgement after it. */
function summaryLine(i18n: I18n, view: AlertTimelineView): string {
  const { t, f } = i18n;
  const [first] = view.stages;
  if (!first) return '';
  const parts = [`${stageText(i18n, view, first, true)} ${f.preciseTime(first.at)}`];
  const sms = view.stages.filter((s) => s.stage === 'sms_accepted');
  if (sms.length > 0) parts.push(`${t.alerts.states.notified} ${t.alertTimeline.after(elapsed(i18n, sms.at(-1)!.at - first.at))}`);
  const ack = view.stages.find((s) => s.stage === 'acknowledged');
  if (ack) parts.push(`${t.alertTimeline.ackBy(ack.by ?? '')} ${t.alertTimeline.after(elapsed(i18n, ack.at - first.at))}`);
  return parts.join(' · ');
}

export function AlertPage({ alertId, role }: { alertId: string; role: Role }) {
  const i18n = useI18n();
  const { t, f } = i18n;
  const w = t.alertTimeline;
  const resumeKey = useResumeKey();
  const timeline = useResource((signal) => fetchAlertTimeline(alertId, { signal }), [alertId, resumeKey]);
  // A new revision (SMS sent, taken in charge) arrives live: read the stages again.
  useLiveEvent('alert', (data) => {
    if (data.alert.alertId === alertId) timeline.reload();
  });
  const view = timeline.resource.data;
  const kind = view ? (t.alerts.kinds[view.alert.kind] ?? view.alert.kind) : '';
  useDocumentTitle(view ? w.title(kind, view.alert.number) : w.timeline, t.app.name);
  const first = view?.stages[0];
  return (
    <>
      <RoleNav role={role} />
      {view?.patientId && (
        <p className="back">
          <Link href={`/patients/${encodeURIComponent(view.patientId)}`}>{w.back}</Link>
        </p>
      )}
      {timeline.resource.status === 'error' && <ErrorNotice error={timeline.resource.error} onRetry={timeline.reload} />}
      {view && (
        <section className="alert-timeline" data-testid="alert-timeline" data-alert-state={view.alert.state}>
          <h1>{w.title(kind, view.alert.number)}</h1>
          <p className="alert-timeline__summary" data-testid="alert-timeline-summary" aria-label={w.summaryLabel}>
            {summaryLine(i18n, view)}
          </p>
          <h2>{w.timeline}</h2>
          <ol className="alert-timeline__stages">
            {view.stages.map((s, i) => (
              <li key={`${s.stage}-${i}`} data-testid="alert-stage" data-stage={s.stage} data-at={s.at}>
                <time dateTime={new Date(s.at).toISOString()} title={f.fullDateTime(s.at)}>
                  {f.preciseTime(s.at)}
                </time>{' '}
                <span className="alert-timeline__what">{stageText(i18n, view, s, i === 0)}</span>
                {i > 0 && first && <span className="alert-timeline__after"> {w.after(elapsed(i18n, s.at - first.at))}</span>}
              </li>
            ))}
          </ol>
          <p className="muted">{view.clockOffsetMs === null ? w.noClock : w.clockNote(f.number(view.clockOffsetMs / 1_000, 1))}</p>
        </section>
      )}
    </>
  );
}
