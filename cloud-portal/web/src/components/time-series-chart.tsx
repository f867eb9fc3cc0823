/**
 * One measurement over time, drawn by uPlot on a canvas. Silences longer than the gap threshold
 * break the line (null values); isolated readings between two silences get a dot.
 *
 * The canvas says nothing to a screen reader: the container carries a text label, and the page
 * shows the latest value, minimum and maximum as text beside it.
 */
import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useI18n } from '../i18n/i18n.tsx';
import { TIME_ZONE } from '../lib/format.ts';
import { gapThreshold, isolatedIndices, toChartColumns, type Point } from '../lib/series.ts';

const DAY_MS = 86_400_000;
const HEIGHT_PX = 240;

export interface TimeSeriesChartProps {
  /** `data-testid` of the container, which also carries `data-points` (the number of readings). */
  testId: string;
  points: readonly Point[];
  /** Width of the API's time buckets when it downsampled the series, else null. */
  bucketMs: number | null;
  /** Visible time window, epoch ms. */
  from: number;
  to: number;
  /** Name of the series (legend) and accessible label of the chart. */
  label: string;
  accessibleLabel: string;
  unit: string;
  color: string;
  /** Decimals shown in the legend. */
  digits: number;
  /** The value axis always covers `[softMin, softMax]`, widened to fit the data. */
  softMin: number;
  softMax: number;
  /** Hard limits the axis never passes (e.g. 100 % for SpO2). */
  hardMax?: number;
}

export function TimeSeriesChart(props: TimeSeriesChartProps) {
  const { testId, points, bucketMs, from, to, label, accessibleLabel, unit, color, digits, softMin, softMax, hardMax } = props;
  const { t, f } = useI18n();
  const timeLabel = t.patient.time;
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  // uPlot calls the range functions on every redraw: read the latest window from a ref.
  const windowRef = useRef({ from, to });
  windowRef.current = { from, to };

  const columns = useMemo(() => toChartColumns(points, gapThreshold(points, bucketMs)), [points, bucketMs]);
  const columnsRef = useRef(columns);
  columnsRef.current = columns;

  // Build the chart again when what is baked into its options changes (language, unit, colour).
  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const tzDate = (ms: number) => uPlot.tzDate(new Date(ms), TIME_ZONE);
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 280),
      height: HEIGHT_PX,
      ms: 1,
      tzDate,
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
      scales: {
        x: { time: true, range: () => [windowRef.current.from, windowRef.current.to] },
        y: {
          range: (_u, dataMin, dataMax) => {
            const lo = Math.min(softMin, dataMin ?? softMin);
            const hi = Math.max(softMax, dataMax ?? softMax);
            return [Math.floor(lo), hardMax === undefined ? Math.ceil(hi) : Math.min(hardMax, Math.ceil(hi))];
          },
        },
      },
      axes: [
        {
          stroke: '#3d4a5c',
          grid: { stroke: '#e3e7ee', width: 1 },
          ticks: { stroke: '#c9d0db', width: 1 },
          font: '14px system-ui, sans-serif',
          values: (_u, splits, _axis, _space, increment) =>
            splits.map((ms) => {
              if (increment >= DAY_MS) return f.day(ms);
              const paris = tzDate(ms);
              return paris.getHours() === 0 && paris.getMinutes() === 0 ? f.day(ms) : f.time(ms);
            }),
        },
        {
          stroke: '#3d4a5c',
          grid: { stroke: '#e3e7ee', width: 1 },
          ticks: { stroke: '#c9d0db', width: 1 },
          font: '14px system-ui, sans-serif',
          size: 56,
          // Whole numbers only: bpm and SpO2 % are read as integers.
          incrs: [1, 2, 5, 10, 20, 50, 100],
          values: (_u, splits) => splits.map((v) => f.number(v)),
        },
      ],
      series: [
        { label: timeLabel, value: (_u, ms) => (ms == null ? '—' : f.shortDateTime(ms)) },
        {
          label,
          stroke: color,
          width: 2,
          spanGaps: false,
          value: (_u, v) => (v == null ? '—' : `${f.number(v, digits)} ${unit}`),
          points: {
            size: 6,
            fill: color,
            // When uPlot hides points (dense data), still show readings with no neighbour.
            filter: (u, seriesIdx, show) => (show ? null : isolatedIndices(u.data[seriesIdx] ?? [])),
          },
        },
      ],
    };
    const instance = new uPlot(options, columnsRef.current, element);
    chart.current = instance;
    const resize = new ResizeObserver(() => {
      const width = Math.max(element.clientWidth, 280);
      if (width !== instance.width) instance.setSize({ width, height: HEIGHT_PX });
    });
    resize.observe(element);
    return () => {
      resize.disconnect();
      instance.destroy();
      chart.current = null;
    };
  }, [f, timeLabel, label, unit, color, digits, softMin, softMax, hardMax]);

  // New data or a new window: redraw without rebuilding.
  useEffect(() => {
    chart.current?.setData(columns);
  }, [columns, from, to]);

  return (
    <div
      className="chart"
      data-testid={testId}
      data-points={points.length}
      role="img"
      aria-label={accessibleLabel}
    >
      <div ref={host} className="chart__canvas" />
    </div>
  );
}
