import { dirname } from 'node:path';
import type { BoxMetricSample } from '@vigie/protocol';
import { openBoxDatabase } from './store/database.ts';
import { ReadingBuffer } from './telemetry/buffer/reading-buffer.ts';
import { BoxMetricsCollector } from './telemetry/box-metrics.ts';
import { diskFreeBytes } from './telemetry/box-health.ts';

/** What `vigie-box status` shows: the box's metrics, read from its store, as the heartbeat would carry them. */
export interface BoxStatusReport {
  readonly boxId: string;
  readonly samples: readonly BoxMetricSample[];
}

/**
 * The technician's view of a box (`vigie-box status`): the same catalogue of metrics the cloud
 * receives with heartbeats, read from the box store (no process needs to run; the bus-only
 * figures — modem signal, bracelet link, uplink — are in the running box's heartbeats).
 */
export async function readBoxStatus(boxDbPath: string, boxId: string, now = Date.now()): Promise<BoxStatusReport> {
  const db = openBoxDatabase(boxDbPath, { synchronous: 'NORMAL' });
  try {
    const free = await diskFreeBytes(dirname(boxDbPath));
    const collector = new BoxMetricsCollector(db, {
      now: () => now,
      bracelet: () => ({ connected: null, lastContactAt: null }),
      modem: () => ({ registered: false, signal: null }),
      lastUplinkSuccessAt: () => null,
      diskFreeBytes: () => free,
    });
    const { depth, oldestTs } = new ReadingBuffer(db).depth();
    // Modem and BLE are the running processes' knowledge: left out rather than shown as "down".
    const samples = (await collector.samples({ depth, oldestUnsentAt: oldestTs })).filter(
      (s) => s.name !== 'vigie_box_modem_registered' && !(s.name === 'vigie_box_process_resident_memory_bytes'),
    );
    return { boxId, samples };
  } finally {
    db.close();
  }
}

/** The report as lines for a terminal, or in Prometheus's text format (`--prometheus`). */
export function formatBoxStatus(report: BoxStatusReport, format: 'text' | 'prometheus'): string {
  const line = (s: BoxMetricSample, box: boolean) => {
    const labels = { ...(box ? { box: report.boxId } : {}), ...(s.labels ?? {}) };
    const inner = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',');
    return `${s.name}${inner ? `{${inner}}` : ''} ${s.value}`;
  };
  if (format === 'prometheus') return `${report.samples.map((s) => line(s, true)).join('\n')}\n`;
  return [`Box ${report.boxId}`, ...report.samples.map((s) => `  ${line(s, false)}`)].join('\n') + '\n';
}
