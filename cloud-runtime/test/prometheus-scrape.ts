import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitUntil } from '@vigie/common/testing';

/**
 * `promtool check metrics`: Prometheus's own parser and linter on an exposition (naming
 * conventions: units, `_total` on counters only…). Returns its complaints, empty when clean.
 */
export function promtoolCheckMetrics(text: string): string {
  try {
    execFileSync('promtool', ['check', 'metrics'], { input: text, stdio: ['pipe', 'pipe', 'pipe'] });
    return '';
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer };
    return `${e.stdout?.toString() ?? ''}${e.stderr?.toString() ?? ''}`.trim() || String(err);
  }
}

/** One series as Prometheus's query API returns it. */
export interface PromSeries {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: readonly [number, string];
}

/** A real `prometheus` server on a loopback port, with its own storage, scraping `targets` every second. */
export interface PrometheusServer {
  readonly url: string;
  /** An instant query (`/api/v1/query`). */
  query(promql: string): Promise<PromSeries[]>;
  /** Every label name Prometheus holds, then every value of each (`/api/v1/labels`, `/api/v1/label/…/values`). */
  labelValues(): Promise<Array<{ label: string; value: string }>>;
  stop(): Promise<void>;
}

/** Start `prometheus` (Debian package `prometheus`) scraping each job's `host:port` at `/metrics`. */
export async function startPrometheus(dir: string, jobs: Readonly<Record<string, string>>): Promise<PrometheusServer> {
  const port = await freePort();
  const config = [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 900ms',
    'scrape_configs:',
    ...Object.entries(jobs).flatMap(([job, hostPort]) => [`  - job_name: ${job}`, '    static_configs:', `      - targets: ['${hostPort}']`]),
  ].join('\n');
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, `${config}\n`);
  const child: ChildProcess = spawn(
    'prometheus',
    [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${url}${path}`);
    const body = (await res.json()) as { status: string; data: T; error?: string };
    if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error}`);
    return body.data;
  };
  await waitUntil(
    async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
      return fetch(`${url}/-/ready`).then((r) => r.ok, () => false);
    },
    'prometheus to be ready',
    30_000,
    100,
  );
  return {
    url,
    query: async (promql) => (await api<{ result: PromSeries[] }>(`/api/v1/query?query=${encodeURIComponent(promql)}`)).result,
    async labelValues() {
      const out: Array<{ label: string; value: string }> = [];
      for (const label of await api<string[]>('/api/v1/labels')) {
        for (const value of await api<string[]>(`/api/v1/label/${encodeURIComponent(label)}/values`)) out.push({ label, value });
      }
      return out;
    },
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
