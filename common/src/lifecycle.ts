/**
 * A feature of a process: constructed with its dependencies (constructors only assign fields),
 * started and stopped by the one place that wires the process.
 */
export interface Module {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts modules in order and stops them in reverse. A module that fails to start is reported to
 * `onStartError`; whether that is fatal is the caller's decision (the box never lets sync or OTA
 * failures stop the safety core).
 */
export class ModuleGroup {
  readonly #modules: Module[] = [];
  readonly #started: Module[] = [];

  add(module: Module): this {
    this.#modules.push(module);
    return this;
  }

  async start(onStartError: (module: Module, err: unknown) => 'continue' | 'abort' = () => 'abort'): Promise<void> {
    for (const module of this.#modules) {
      try {
        await module.start();
        this.#started.push(module);
      } catch (err) {
        if (onStartError(module, err) === 'abort') {
          await this.stop();
          throw err;
        }
      }
    }
  }

  async stop(): Promise<void> {
    const errors: unknown[] = [];
    while (this.#started.length > 0) {
      const module = this.#started.pop()!;
      try {
        await module.stop();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'some modules failed to stop');
  }
}

/**
 * Stop `target` once on SIGTERM or SIGINT, then exit (0 when it stopped cleanly, 1 otherwise).
 * For a program's long-running command; a second signal while stopping is ignored.
 */
export function stopOnSignals(target: { stop(): Promise<void> }, log: { info(o: object, m: string): void; error(o: object, m: string): void }): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    target.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
