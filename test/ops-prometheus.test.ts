/**
 * The operator's Prometheus files (ops/): the alerting rules pass `promtool check rules` and their
 * unit tests (`promtool test rules`: "box silent" and "SMS failing" fire on synthetic series, among
 * others); the Grafana dashboard parses, has the structure Grafana needs, and every expression of
 * its panels and of the rules names metrics that exist (declared in the sources or the box
 * catalogue, or Node's and node_exporter's standard ones).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { skipUnlessTool } from '@vigie/common/testing';
import { BOX_METRICS, isCataloguedSample } from '@vigie/protocol';

const ROOT = resolve(import.meta.dirname, '..');
const RULES = join(ROOT, 'ops/prometheus/rules/vigie-alerts.yml');
const RULE_TESTS = join(ROOT, 'ops/prometheus/tests/vigie-alerts.test.yml');
const DASHBOARD = join(ROOT, 'ops/grafana/vigie-operations.json');

function promtool(...args: string[]): string {
  return execFileSync('promtool', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

test('promtool check rules accepts the alerting rules', { skip: skipUnlessTool('promtool', 'prometheus') }, () => {
  assert.match(promtool('check', 'rules', RULES), /SUCCESS: 9 rules found/);
});

test('promtool test rules fires "box silent", "SMS failing" and the others on synthetic series', { skip: skipUnlessTool('promtool', 'prometheus') }, () => {
  assert.match(promtool('test', 'rules', RULE_TESTS), /SUCCESS/);
  const tests = readFileSync(RULE_TESTS, 'utf8');
  for (const alert of ['VigieBoxSilent', 'VigieBoxSmsFailing']) assert.match(tests, new RegExp(`alertname: ${alert}\\n\\s+exp_alerts:\\n\\s+- exp_labels`), `${alert} has a firing case`);
});

test('the rule tests feed box series as a box sends them: catalogued names, label names and values', () => {
  // A synthetic series a box never sends (a check label `ble` where the box says `bracelet_link`)
  // would make a rule test pass while the rule stays silent on the real fleet.
  const series = [...readFileSync(RULE_TESTS, 'utf8').matchAll(/series: '(vigie_box_[a-z0-9_]+)\{([^}]*)\}'/g)];
  assert.ok(series.length >= 3);
  for (const [line, name, inner] of series) {
    const labels = Object.fromEntries([...inner!.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]).filter(([k]) => !['box', 'instance', 'job'].includes(k!)));
    if (name === 'vigie_box_last_heartbeat_timestamp_seconds') continue; // the cloud's own, per box
    assert.ok(isCataloguedSample({ name: name!, ...(Object.keys(labels).length > 0 ? { labels } : {}), value: 1 }), `${line} is not what a box sends`);
  }
});

/** Every metric name the code declares (`name: 'vigie_…'`), the box catalogue, Node's and node_exporter's. */
function knownMetrics(): Set<string> {
  const names = new Set<string>(Object.keys(BOX_METRICS));
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      if (['node_modules', 'dist', '.git', 'data'].includes(entry)) continue;
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.tsx?$/.test(entry) && !entry.endsWith('.test.ts')) {
        for (const m of readFileSync(path, 'utf8').matchAll(/name: '(vigie_[a-z0-9_]+)'/g)) names.add(m[1]!);
      }
    }
  };
  for (const dir of ['common', 'cloud-ingest', 'cloud-portal', 'cloud-runtime', 'appliance/src']) walk(join(ROOT, dir));
  names.add('vigie_box_last_heartbeat_timestamp_seconds');
  // prom-client's defaults (collectDefaults) and node_exporter's file systems.
  for (const n of ['process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_eventloop_lag_seconds', 'node_filesystem_avail_bytes', 'node_filesystem_size_bytes']) names.add(n);
  return names;
}

/** Metric names in a PromQL expression: identifiers that are neither functions, keywords nor labels. */
function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"[^"]*"/g, '""').replace(/\{[^}]*\}/g, '{}').replace(/\[[^\]]*\]/g, '[]');
  const withoutGrouping = withoutStrings.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, '');
  return [...withoutGrouping.matchAll(/\b([a-z_:][a-z0-9_:]*)\b(?!\s*\()/g)]
    .map((m) => m[1]!)
    .filter((n) => !['and', 'or', 'unless', 'bool', 'offset', 'le', 'inf', 'nan'].includes(n) && /_/.test(n));
}

/** A histogram's series name → its family (`…_bucket`, `_sum`, `_count`). */
const family = (name: string) => name.replace(/_(bucket|sum|count)$/, '');

test('the Grafana dashboard parses, has Grafana\'s structure, and every panel queries existing metrics', () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as {
    uid: string;
    title: string;
    schemaVersion: number;
    panels: Array<{ id: number; type: string; title: string; gridPos: { x: number; y: number; w: number; h: number }; targets: Array<{ refId: string; expr: string }> }>;
  };
  assert.equal(typeof dashboard.uid, 'string');
  assert.ok(dashboard.title.length > 0 && dashboard.schemaVersion >= 30);
  const known = knownMetrics();
  const ids = new Set<number>();
  const used = new Set<string>();
  for (const p of dashboard.panels) {
    assert.ok(!ids.has(p.id), `panel id ${p.id} repeated`);
    ids.add(p.id);
    assert.ok(['timeseries', 'stat', 'table', 'gauge'].includes(p.type), `${p.title}: panel type ${p.type}`);
    assert.ok(p.gridPos.w > 0 && p.gridPos.w <= 24 && p.gridPos.x + p.gridPos.w <= 24 && p.gridPos.h > 0, `${p.title}: gridPos`);
    assert.ok(p.targets.length > 0, `${p.title}: no query`);
    for (const target of p.targets) {
      const names = metricNames(target.expr);
      assert.ok(names.length > 0, `${p.title}: no metric in ${target.expr}`);
      for (const n of names) {
        assert.ok(known.has(family(n)) || known.has(n), `${p.title}: unknown metric ${n} in ${target.expr}`);
        used.add(family(n));
      }
    }
  }
  // The dashboard covers the box, the ingest, Kafka, HTTP, the pool and certificates.
  for (const n of ['vigie_box_last_heartbeat_timestamp_seconds', 'vigie_ingest_readings_written_total', 'vigie_kafka_consumer_lag_messages', 'vigie_http_request_duration_seconds', 'vigie_db_pool_connections', 'vigie_tls_certificate_expiry_timestamp_seconds']) {
    assert.ok(used.has(n), `dashboard shows ${n}`);
  }
});

test('every alerting rule names existing metrics and points to its runbook paragraph', () => {
  const rules = readFileSync(RULES, 'utf8');
  const runbooks = readFileSync(join(ROOT, 'docs/operations/runbooks.md'), 'utf8');
  const known = knownMetrics();
  const exprs = [...rules.matchAll(/expr: (\|\n(?:\s{10}.*\n)+|.*)/g)].map((m) => m[1]!.replace(/^\|/, ''));
  assert.equal(exprs.length, 9);
  for (const expr of exprs) for (const n of metricNames(expr)) assert.ok(known.has(family(n)) || known.has(n), `unknown metric ${n} in rule ${expr.trim()}`);
  for (const [, alert] of rules.matchAll(/- alert: (\w+)/g)) {
    assert.match(runbooks, new RegExp(`^## ${alert}$`, 'm'), `runbook section for ${alert}`);
    assert.match(rules, new RegExp(`runbook: docs/operations/runbooks.md#${alert!.toLowerCase()}`), `runbook annotation of ${alert}`);
  }
});
