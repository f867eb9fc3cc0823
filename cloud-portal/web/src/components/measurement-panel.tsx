/** A chart with its figures in words: latest value (and how old), minimum and maximum over the period. */
import { summarize } from '../lib/series.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { RelativeTime } from './relative-time.tsx';
import { TimeSeriesChart, type TimeSeriesChartProps } from './time-series-chart.tsx';

export interface MeasurementPanelProps extends Omit<TimeSeriesChartProps, 'accessibleLabel'> {
  headingId: string;
  rangeLabel: string;
  now: number;
  /** The points of this period have arrived (before that, or after a failure, say nothing). */
  loaded: boolean;
}

export function MeasurementPanel(props: MeasurementPanelProps) {
  const { t, f } = useI18n();
  const { headingId, rangeLabel, now, loaded, ...chart } = props;
  const summary = summarize(chart.points);
  const value = (v: number) => `${f.number(v, chart.digits)} ${chart.unit}`;
  return (
    <section className="panel measurement" aria-labelledby={headingId} aria-busy={!loaded}>
      <div className="measurement__head">
        <h2 id={headingId} className="panel__title">
          {chart.label}
        </h2>
        {summary && (
          <p className="measurement__summary" data-testid={`${chart.testId}-summary`}>
            <span className="measurement__latest">
              <span className="measurement__caption">{t.patient.latest}</span>{' '}
              <strong>{value(summary.latest[1])}</strong>{' '}
              <span className="muted">
                (<RelativeTime ms={summary.latest[0]} now={now} />)
              </span>
            </span>
            <span className="measurement__range">
              {t.patient.min} {value(summary.min)} · {t.patient.max} {value(summary.max)}
            </span>
          </p>
        )}
      </div>
      <TimeSeriesChart {...chart} accessibleLabel={t.patient.chartLabel(chart.label, rangeLabel, chart.points.length)} />
      {!summary && loaded && <p className="measurement__empty muted">{t.patient.noData}</p>}
    </section>
  );
}

