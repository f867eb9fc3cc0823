/**
 * A downsampled series drawn by uPlot: the bucket mean as a line (steps: the bucket total as bars),
 * the min–max band around it, null points from the server as breaks in the line, and the alerts
 * as red vertical lines on the time axis. The canvas is labelled in words for screen readers.
 */
import { useEffect, useMemo, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { AlertMarker, BucketPoint } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { TIME_ZONE } from './format.ts';

const DAY_MS = 86_400_000;
const HEIGHT_PX = 220;
const MARKER_COLOR = '#b42318';

export interface BucketChartProps {
  testId: string;
  points: readonly BucketPoint[];
  markers: readonly AlertMarker[];
  from: number;
  to: number;
  label: string;
  accessibleLabel: string;
  unit: string;
  color: string;
  /** Band fill (the colour, transparent). */
  bandColor: string;
  bars?: boolean;
  softMin: number;
  softMax: number;
  hardMax?: number;
}

/** uPlot columns `[xs, mean, min, max]`; gap markers become nulls in every series. */
export function toColumns(points: readonly BucketPoint[]): [number[], (number | null)[], (number | null)[], (number | null)[]] {
  const xs: number[] = [];
  const mean: (number | null)[] = [];
  const min: (number | null)[] = [];
  const max: (number | null)[] = [];
  for (const [ts, value, lo, hi] of points) {
    xs.push(ts);
    mean.push(value);
    min.push(lo);
    max.push(hi);
  }
  return [xs, mean, min, max];
}

export function BucketChart(props: BucketChartProps) {
  const { testId, points, markers, from, to, label, accessibleLabel, unit, color, bandColor, bars, softMin, softMax, hardMax } = props;
  const { t, f } = useI18n();
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const live = useRef({ from, to, markers });
  live.current = { from, to, markers };
  const columns = useMemo(() => toColumns(points), [points]);
  const columnsRef = useRef(columns);
  columnsRef.current = columns;

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const tzDate = (ms: number) => uPlot.tzDate(new Date(ms), TIME_ZONE);
    const axis = {
      stroke: '#3d4a5c',
      grid: { stroke: '#e3e7ee', width: 1 },
      ticks: { stroke: '#c9d0db', width: 1 },
      font: '14px system-ui, sans-serif',
    };
    const drawMarkers = (u: uPlot) => {
      const { ctx, bbox } = u;
      ctx.save();
      ctx.strokeStyle = MARKER_COLOR;
      ctx.lineWidth = 2 * devicePixelRatio;
      for (const marker of live.current.markers) {
        const x = Math.round(u.valToPos(marker.raisedAt, 'x', true));
        if (x < bbox.left || x > bbox.left + bbox.width) continue;
        ctx.beginPath();
        ctx.moveTo(x, bbox.top);
        ctx.lineTo(x, bbox.top + bbox.height);
        ctx.stroke();
      }
      ctx.restore();
    };
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 280),
      height: HEIGHT_PX,
      ms: 1,
      tzDate,
      cursor: { drag: { x: false, y: false } },
      legend: { live: true },
      scales: {
        x: { time: true, range: () => [live.current.from, live.current.to] },
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
          ...axis,
          values: (_u, splits, _axis, _space, increment) =>
            splits.map((ms) => {
              if (increment >= DAY_MS) return f.day(ms);
              const local = tzDate(ms);
              return local.getHours() === 0 && local.getMinutes() === 0 ? f.day(ms) : f.time(ms);
            }),
        },
        { ...axis, size: 60, values: (_u, splits) => splits.map((v) => f.number(v)) },
      ],
      bands: bars ? [] : [{ series: [3, 2], fill: bandColor }],
      series: [
        { label: t.patient.time, value: (_u, ms) => (ms == null ? '—' : f.shortDateTime(ms)) },
        {
          label,
          stroke: color,
          width: 2,
          spanGaps: false,
          ...(bars ? { fill: color, paths: uPlot.paths.bars!({ size: [0.8, 40] }) } : {}),
          value: (_u, v) => (v == null ? '—' : `${f.number(v, 0)} ${unit}`),
          points: { show: false },
        },
        { label: 'min', stroke: 'transparent', width: 0, show: !bars, spanGaps: false, points: { show: false }, value: (_u, v) => (v == null ? '—' : f.number(v, 0)) },
        { label: 'max', stroke: 'transparent', width: 0, show: !bars, spanGaps: false, points: { show: false }, value: (_u, v) => (v == null ? '—' : f.number(v, 0)) },
      ],
      hooks: { draw: [drawMarkers] },
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
  }, [f, t, label, unit, color, bandColor, bars, softMin, softMax, hardMax]);

  useEffect(() => {
    chart.current?.setData(columns);
  }, [columns, from, to, markers]);

  const real = points.reduce((n, p) => (p[1] === null ? n : n + 1), 0);
  const gaps = points.length - real;
  return (
    <div className="chart" data-testid={testId} data-points={real} data-gaps={gaps} data-markers={markers.length} role="img" aria-label={accessibleLabel}>
      <div ref={host} className="chart__canvas" />
    </div>
  );
}
