import { BOX_METRICS, isCataloguedSample, type BoxMetricSample, type BoxMetricSpec } from '@vigie/protocol';
import type { MetricsRegistry } from '@vigie/common/metrics';
import type { Db } from '@vigie/cloud-store';

interface BoxRow {
  box_id: string;
  received_at: Date;
  metrics: BoxMetricSample[] | null;
}

/** How long one read of `box_status` serves the gauges of a scrape. */
const SNAPSHOT_MS = 1_000;

/**
 * Each box's metrics, as its latest heartbeat carried them (`box_status.metrics`), exposed by the
 * ingest role with the label `box` (the box serial: fleet hardware, not a patient identifier), plus
 * `vigie_box_last_heartbeat_timestamp_seconds` on the CLOUD's clock, which the "box silent" rule
 * watches. Read from the database at scrape time: every ingest instance exposes the same values,
 * whichever of them received the heartbeat (rules aggregate with `max by (box)`).
 *
 * Only catalogued samples (`BOX_METRICS`) leave: a name, a label or a value outside the catalogue
 * is dropped, so a box can neither invent series nor put free text in a label.
 */
export function exposeBoxMetrics(metrics: MetricsRegistry, db: Db): () => void {
  // The gauges live as long as the registry (the process); the database is this cloud's, until
  // its stop (tests start several clouds in one process, one after the other).
  sources.add(db);
  snapshot = null;
  if (!declared.has(metrics)) {
    declared.add(metrics);
    declare(metrics);
  }
  return () => {
    sources.delete(db);
    snapshot = null;
  };
}

const sources = new Set<Db>();
const declared = new WeakSet<MetricsRegistry>();
let snapshot: { at: number; rows: Promise<BoxRow[]> } | null = null;

function declare(metrics: MetricsRegistry): void {
  const rows = (): Promise<BoxRow[]> => {
    const db = [...sources].at(-1);
    if (!db) return Promise.resolve([]);
    const now = Date.now();
    if (!snapshot || now - snapshot.at > SNAPSHOT_MS) {
      snapshot = {
        at: now,
        rows: db.query<BoxRow>('SELECT box_id, received_at, metrics FROM box_status ORDER BY box_id').then((r) => r.rows),
      };
      // A failed read is not cached: the next scrape tries again.
      snapshot.rows.catch(() => (snapshot = null));
    }
    return snapshot.rows;
  };
  metrics.gauge<'box'>({
    name: 'vigie_box_last_heartbeat_timestamp_seconds',
    help: 'When the cloud last received a heartbeat of the box (cloud clock, Unix seconds)',
    labelNames: ['box'],
    async collect() {
      this.reset();
      for (const r of await rows()) this.set({ box: r.box_id }, Math.floor(r.received_at.getTime() / 1_000));
    },
  });
  for (const [name, spec] of Object.entries(BOX_METRICS) as Array<[string, BoxMetricSpec]>) {
    const samplesOf = async (each: (box: string, sample: BoxMetricSample) => void) => {
      for (const r of await rows()) {
        for (const sample of r.metrics ?? []) if (sample.name === name && isCataloguedSample(sample)) each(r.box_id, sample);
      }
    };
    const config = { name, help: `${spec.help} (from the box's latest heartbeat)`, labelNames: ['box', ...Object.keys(spec.labels)] };
    if (spec.type === 'counter') {
      // The box's own count, re-exposed as it stands: it only goes up (increase() works on it).
      metrics.counter({
        ...config,
        async collect() {
          this.reset();
          await samplesOf((box, s) => this.inc({ box, ...(s.labels ?? {}) }, Math.max(0, s.value)));
        },
      });
    } else {
      metrics.gauge({
        ...config,
        async collect() {
          this.reset();
          await samplesOf((box, s) => this.set({ box, ...(s.labels ?? {}) }, s.value));
        },
      });
    }
  }
}
