import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type CounterConfiguration, type GaugeConfiguration, type HistogramConfiguration } from 'prom-client';

/**
 * The process's metrics, in Prometheus's format (prom-client), shared by every module of the
 * process: a cloud role (ingest, portal, and the scheduler, reports or update services that join
 * `vigie-cloud`) or a box process declares its instruments here by name and gets the same one back
 * wherever it asks again, so two modules, or two apps of one process, never register a name twice.
 *
 * Naming (https://prometheus.io/docs/practices/naming/): `vigie_<area>_<what>_<unit>`, base units
 * (seconds, bytes), `_total` on counters. Labels carry bounded sets of values (a route template, a
 * reason code, a box serial); never a patient id, a name or a phone number
 * (`cloud-runtime/test/metrics-privacy.test.ts` reads every label value).
 *
 * The switch: `VIGIE_METRICS=off` (or {@link setMetricsEnabled}(false)) makes every instrument a
 * no-op at its call site, so `bench:alert` and `bench:ingest` can measure what the metrics cost.
 */
export class MetricsRegistry {
  /** The prom-client registry that `/metrics` renders. */
  readonly registry = new Registry();
  #defaults = false;

  /** A counter, created on first use; the same instance on every later call with this name. */
  counter<L extends string = string>(config: Omit<CounterConfiguration<L>, 'registers'>): Counter<L> {
    return switched(this.#getOrCreate(config.name, () => new Counter<L>({ ...config, registers: [this.registry] })));
  }

  /** A gauge (optionally with a `collect()` read at scrape time), created on first use. */
  gauge<L extends string = string>(config: Omit<GaugeConfiguration<L>, 'registers'>): Gauge<L> {
    return switched(this.#getOrCreate(config.name, () => new Gauge<L>({ ...config, registers: [this.registry] })));
  }

  /** A histogram, created on first use. */
  histogram<L extends string = string>(config: Omit<HistogramConfiguration<L>, 'registers'>): Histogram<L> {
    return switched(this.#getOrCreate(config.name, () => new Histogram<L>({ ...config, registers: [this.registry] })));
  }

  /** Node's own metrics (`process_*`, `nodejs_*`: memory, event loop lag, restarts via start time), once. */
  collectDefaults(): void {
    if (this.#defaults) return;
    this.#defaults = true;
    collectDefaultMetrics({ register: this.registry });
  }

  /** The exposition text (`text/plain; version=0.0.4`). */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  #getOrCreate<M>(name: string, create: () => M): M {
    if (!/^[a-z_:][a-z0-9_:]*$/.test(name)) throw new Error(`metric name "${name}" breaks Prometheus's naming rules`);
    return (this.registry.getSingleMetric(name) as M | undefined) ?? create();
  }
}

let enabled = !['off', '0', 'false', 'no'].includes((process.env.VIGIE_METRICS ?? '').toLowerCase());

/** Whether instruments record (`VIGIE_METRICS=off` at start, or this switch at run time). */
export function metricsEnabled(): boolean {
  return enabled;
}

/** Turn recording on or off for the whole process (benchmarks measure both in one run). */
export function setMetricsEnabled(on: boolean): void {
  enabled = on;
}

const RECORDING = new Set(['inc', 'dec', 'set', 'observe', 'startTimer', 'zero']);
const wrapped = new WeakMap<object, unknown>();

/**
 * The instrument behind a proxy whose recording methods do nothing while metrics are off (one
 * boolean read per call); reading, `labels()` and `collect` are untouched.
 */
function switched<M extends object>(metric: M): M {
  const known = wrapped.get(metric);
  if (known) return known as M;
  const proxy = new Proxy(metric, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      if (typeof prop === 'string' && RECORDING.has(prop)) {
        return (...args: unknown[]) => {
          if (!enabled) return prop === 'startTimer' ? () => 0 : undefined;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      if (prop === 'labels') {
        return (...args: unknown[]) => switched((value as (...a: unknown[]) => object).apply(target, args));
      }
      return (value as (...a: unknown[]) => unknown).bind(target);
    },
  });
  wrapped.set(metric, proxy);
  return proxy;
}

let processRegistry: MetricsRegistry | null = null;

/** The registry of this process (one per process: `/metrics` renders it). */
export function processMetrics(): MetricsRegistry {
  processRegistry ??= new MetricsRegistry();
  return processRegistry;
}
