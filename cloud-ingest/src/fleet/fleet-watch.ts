import { loadConfig, silentLogger, z, type Logger, type Module } from '@vigie/common';
import type { Db, FleetEvent } from '@vigie/cloud-store';
import { DEFAULT_HEARTBEAT_RETENTION_DAYS } from './heartbeat-retention.ts';
import { DEFAULT_IMPLAUSIBLE_THRESHOLDS, detectImplausibleValues, type ImplausibleThresholds } from './implausible-values.ts';
import { DEFAULT_SILENCE_THRESHOLDS, detectSilence, type SilenceThresholds } from './silence-detector.ts';

/** The fleet settings of the ingest role, from the environment (validated once, every problem at once). */
export const FleetEnvSchema = z.object({
  VIGIE_BOX_SILENT_MINUTES: z.coerce.number().int().min(1).max(1_440).default(DEFAULT_SILENCE_THRESHOLDS.boxSilentMinutes),
  VIGIE_BRACELET_SILENT_MINUTES: z.coerce.number().int().min(1).max(1_440).default(DEFAULT_SILENCE_THRESHOLDS.braceletSilentMinutes),
  VIGIE_IMPLAUSIBLE_WINDOW_MINUTES: z.coerce.number().int().min(5).max(1_440).default(DEFAULT_IMPLAUSIBLE_THRESHOLDS.windowMinutes),
  VIGIE_IMPLAUSIBLE_MIN_COUNT: z.coerce.number().int().min(1).max(100_000).default(DEFAULT_IMPLAUSIBLE_THRESHOLDS.minCount),
  VIGIE_IMPLAUSIBLE_RATE_PERCENT: z.coerce.number().min(0.1).max(100).default(DEFAULT_IMPLAUSIBLE_THRESHOLDS.ratePercent),
  VIGIE_HEARTBEAT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3_650).default(DEFAULT_HEARTBEAT_RETENTION_DAYS),
});
export type FleetEnv = Readonly<z.output<typeof FleetEnvSchema>>;

export function loadFleetEnv(env: Record<string, string | undefined> = process.env): FleetEnv {
  return loadConfig(FleetEnvSchema, env, 'fleet configuration');
}

/** The detectors' thresholds as the environment sets them. */
export function fleetThresholds(env: FleetEnv): { silence: SilenceThresholds; implausible: ImplausibleThresholds } {
  return {
    silence: { boxSilentMinutes: env.VIGIE_BOX_SILENT_MINUTES, braceletSilentMinutes: env.VIGIE_BRACELET_SILENT_MINUTES },
    implausible: { windowMinutes: env.VIGIE_IMPLAUSIBLE_WINDOW_MINUTES, minCount: env.VIGIE_IMPLAUSIBLE_MIN_COUNT, ratePercent: env.VIGIE_IMPLAUSIBLE_RATE_PERCENT },
  };
}

/**
 * The ingest role's fleet watch: every minute, the silence detector ("no data": box or bracelet
 * silent) then the implausible-values detector (a faulty sensor). A failed pass is logged and the
 * next one runs as usual; one detector failing does not stop the other.
 */
export class FleetWatch implements Module {
  readonly name = 'fleet-watch';
  readonly #db: Db;
  readonly #log: Logger;
  readonly #silence: Partial<SilenceThresholds>;
  readonly #implausible: Partial<ImplausibleThresholds>;
  readonly #now: () => number;
  readonly #periodMs: number;
  readonly #exclusive: (pass: () => Promise<void>) => Promise<unknown>;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(deps: {
    db: Db;
    log?: Logger;
    silence?: Partial<SilenceThresholds>;
    implausible?: Partial<ImplausibleThresholds>;
    now?: () => number;
    periodMs?: number;
    /**
     * Runs each pass so that one instance of a scaled-out ingest does it (cloud-store
     * `runExclusive`): two detectors racing would raise an event twice. Default: run here.
     */
    exclusive?: (pass: () => Promise<void>) => Promise<unknown>;
  }) {
    this.#db = deps.db;
    this.#log = (deps.log ?? silentLogger()).child({ module: 'fleet-watch' });
    this.#silence = deps.silence ?? {};
    this.#implausible = deps.implausible ?? {};
    this.#now = deps.now ?? Date.now;
    this.#periodMs = deps.periodMs ?? 60_000;
    this.#exclusive = deps.exclusive ?? ((pass) => pass());
  }

  async start(): Promise<void> {
    this.#timer = setInterval(() => void this.runOnce(), this.#periodMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** One pass now (skipped when the previous one still runs). Never throws. */
  async runOnce(): Promise<void> {
    if (this.#running) return;
    this.#running = (async () => {
      try {
        await this.#exclusive(async () => {
          const now = this.#now();
          await this.#pass('silence', () => detectSilence(this.#db, { now, thresholds: this.#silence }));
          await this.#pass('implausible values', () => detectImplausibleValues(this.#db, { now, thresholds: this.#implausible }));
        });
      } catch (err) {
        this.#log.error({ err }, 'fleet watch pass not run');
      } finally {
        this.#running = undefined;
      }
    })();
    await this.#running;
  }

  async #pass(what: string, run: () => Promise<{ raised: FleetEvent[]; resolved: FleetEvent[] }>): Promise<void> {
    try {
      const { raised, resolved } = await run();
      for (const e of raised) this.#log.warn({ kind: e.kind, boxId: e.boxId, since: e.since }, 'fleet event raised');
      for (const e of resolved) this.#log.info({ kind: e.kind, boxId: e.boxId }, 'fleet event resolved');
    } catch (err) {
      this.#log.error({ err }, `${what} detection failed`);
    }
  }
}
