/** One readiness check: resolves when the dependency answers, throws (or rejects) with why not. */
export type ReadinessCheck = () => Promise<void>;

/** The outcome of {@link HealthChecks.readiness}: each check's status and, when failing, why. */
export interface Readiness {
  readonly ready: boolean;
  readonly checks: Readonly<Record<string, { readonly ok: boolean; readonly error?: string }>>;
}

/**
 * What a cloud process must reach before it takes traffic (`/readyz`): the database, Kafka when
 * configured, and whatever a later role adds (an object store…). Liveness (`/healthz`) checks
 * nothing outside the process: an outage of PostgreSQL must not make the orchestrator restart
 * every instance, only take them out of the load balancer.
 */
export class HealthChecks {
  readonly #checks = new Map<string, ReadinessCheck>();

  /** Add (or replace) the check called `name`; returns a function removing it. */
  add(name: string, check: ReadinessCheck): () => void {
    this.#checks.set(name, check);
    return () => {
      if (this.#checks.get(name) === check) this.#checks.delete(name);
    };
  }

  /** Run every check at once, each bounded by `timeoutMs`. */
  async readiness(timeoutMs = 2_000): Promise<Readiness> {
    const entries = await Promise.all(
      [...this.#checks].map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          await Promise.race([
            check(),
            new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
            }),
          ]);
          return [name, { ok: true }] as const;
        } catch (err) {
          return [name, { ok: false, error: (err as Error)?.message ?? String(err) }] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return { ready: entries.every(([, r]) => r.ok), checks: Object.fromEntries(entries) };
  }
}
