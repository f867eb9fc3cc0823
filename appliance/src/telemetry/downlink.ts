import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { KickLoop, type Logger, type Module } from '@vigie/common';
import { readBoxFile, type BoxFile } from '@vigie/provisioning';
import { SCHEMA_VERSION, ScreenNotice, topics, validate, type BoxCommand, type BoxCommandResult, type ConfigApplied, type ScreenNoticeState } from '@vigie/protocol';
import { boxErrors } from '../errors.ts';
import type { Clock } from '../clock.ts';
import { applyCloudConfig, heldConfig } from './config-apply.ts';
import type { DownlinkClient } from './downlink-client.ts';

/** Poll period while an alert is open: a nurse's acknowledgement in the portal reaches the box within seconds. */
export const ALERT_POLL_MS = 2_000;

/** A command handed to the safety core and not answered yet is handed again after this long. */
const COMMAND_RETRY_MS = 30_000;

/** What the downlink needs. */
export interface DownlinkDeps {
  client: DownlinkClient;
  boxFilePath: string;
  /** Publish on the local bus (the safety core's broker). */
  publish: (topic: string, payload: object, options: { qos: 0 | 1; retain?: boolean }) => Promise<void>;
  clock: Clock;
  log: Logger;
  /** The poll period when no alert is open (the sync cadence). */
  idleIntervalMs: () => number;
  /** True while an alert is open on the box. */
  alertOpen: () => boolean;
  /** Told the box file as announced (at start and after each change): heartbeat version, cadences. */
  onBoxFile?: (file: BoxFile) => void;
}

/**
 * The cloud → box path, in the telemetry process: every cycle it fetches the commands (portal
 * acknowledgements) and hands each to the safety core over the bus, then fetches the
 * configuration and applies a newer version to the box file (validated whole, written atomically,
 * see `applyCloudConfig`), then announces the file's version on the bus (retained) so the safety
 * core reloads it. It also announces a file the technician changed with the CLI. Runs every 2 s
 * while an alert is open, else at the sync cadence, and at once on `kick()`.
 *
 * Offline or refused, nothing changes: the configuration in force stays in force.
 */
export class Downlink implements Module {
  readonly name = 'downlink';
  readonly #d: DownlinkDeps;
  readonly #loop: KickLoop;
  /** Hash of the box file last announced on the bus (undefined: none yet, so the first cycle announces). */
  #announced: string | undefined;
  /** Commands handed to the core, by id, with when (not re-sent before COMMAND_RETRY_MS). */
  readonly #handed = new Map<string, number>();
  /** Last refused version, so a bad document is logged once, not every cycle. */
  #refused: number | undefined;
  /** The screen notice last published on the bus (JSON; undefined: none yet). */
  #notice: string | undefined;

  constructor(deps: DownlinkDeps) {
    this.#d = deps;
    this.#loop = new KickLoop({
      pass: () => this.#cycle(),
      nextDelayMs: () => (this.#d.alertOpen() ? ALERT_POLL_MS : this.#d.idleIntervalMs()),
    });
  }

  async start(): Promise<void> {
    this.#loop.start();
  }

  async stop(): Promise<void> {
    await this.#loop.stop();
    this.#d.client.close();
  }

  /** Run a cycle now (an alert opened, the cloud came back). */
  kick(): void {
    this.#loop.kick();
  }

  /** Resolves when no cycle runs (tests). */
  async idle(): Promise<void> {
    await this.#loop.idle();
  }

  /** The safety core answered a command: tell the cloud (a failure leaves it pending: the cloud sends it again, the core answers again). */
  async onCommandResult(result: BoxCommandResult): Promise<void> {
    try {
      await this.#d.client.completeCommand(result);
      this.#handed.delete(result.commandId);
    } catch (err) {
      this.#d.log.warn({ code: boxErrors.is(err) ? err.code : undefined, commandId: result.commandId }, 'could not report a command done; will retry');
    }
  }

  /** Publish on the bus, giving up after 5 s (the safety core restarting): the next cycle tries again. */
  async #publish(topic: string, payload: object, options: { qos: 0 | 1; retain?: boolean }): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('the local bus did not take the message within 5 s')), 5_000);
    });
    try {
      await Promise.race([this.#d.publish(topic, payload, options), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async #cycle(): Promise<void> {
    try {
      await this.#commands();
    } catch (err) {
      this.#d.log.debug({ code: boxErrors.is(err) ? err.code : undefined }, 'could not fetch commands');
    }
    try {
      await this.#config();
    } catch (err) {
      // The cloud unreachable is ordinary (offline: the configuration in force stays); anything
      // else (the box file unreadable, the disk full) is not.
      if (boxErrors.is(err)) this.#d.log.debug({ code: err.code }, 'could not fetch the configuration');
      else this.#d.log.warn({ err }, 'could not apply the configuration; the one in force stays');
    }
    await this.#announce().catch((err: unknown) => this.#d.log.warn({ err }, 'could not announce the configuration on the bus'));
  }

  async #commands(): Promise<void> {
    const now = this.#d.clock.now();
    const commands: BoxCommand[] = await this.#d.client.fetchCommands();
    const pending = new Set(commands.map((c) => c.commandId));
    for (const id of this.#handed.keys()) if (!pending.has(id)) this.#handed.delete(id);
    for (const command of commands) {
      const at = this.#handed.get(command.commandId);
      if (at !== undefined && now - at < COMMAND_RETRY_MS) continue;
      // QoS 1, not retained: the core applies it idempotently and answers on commandResult.
      await this.#publish(topics.command(command.commandId), command, { qos: 1 });
      this.#handed.set(command.commandId, now);
      this.#d.log.info({ commandId: command.commandId, kind: command.kind, alertId: command.alertId }, 'command from the cloud handed to the safety core');
    }
    await this.#screenNotice();
  }

  /**
   * Hand the cloud's screen notice (« Questionnaire du jour », issue 12) to the screen, retained,
   * when it changed. Only after a successful poll: offline, the screen keeps what it shows. A
   * notice that fails the schema is dropped (logged once), never shown.
   */
  async #screenNotice(): Promise<void> {
    const raw = this.#d.client.screenNotice?.();
    if (raw === undefined) return;
    let notice: ScreenNotice | null = null;
    const checked = raw === null ? null : validate(ScreenNotice, raw);
    if (checked?.ok) notice = checked.value;
    const key = JSON.stringify(notice);
    if (key === this.#notice) return;
    if (checked && !checked.ok) this.#d.log.warn({ problems: checked.issues.map((i) => i.path) }, 'screen notice from the cloud refused');
    const payload: ScreenNoticeState = { v: SCHEMA_VERSION, notice, ts: this.#d.clock.now() };
    await this.#publish(topics.screenNotice(), payload, { qos: 1, retain: true });
    this.#notice = key;
  }

  async #config(): Promise<void> {
    const held = heldConfig(readBoxFile(this.#d.boxFilePath));
    const message = await this.#d.client.fetchConfig(held);
    if (message === null) return;
    const outcome = applyCloudConfig(this.#d.boxFilePath, message, { now: this.#d.clock.now() });
    switch (outcome.status) {
      case 'applied':
        this.#refused = undefined;
        this.#d.log.info({ version: outcome.version, replacedLocalChanges: held.localChanges }, 'cloud configuration applied');
        await this.#announce();
        return;
      case 'unchanged':
        return;
      case 'refused': {
        const version = (message as { version?: unknown }).version;
        const key = typeof version === 'number' ? version : -1;
        if (this.#refused !== key) {
          // Field paths and reasons only: never a phone number or a value.
          this.#d.log.error({ version, reason: outcome.reason, problems: outcome.problems.map((p) => p.split(':')[0]) }, 'cloud configuration refused; the one in force stays');
        }
        this.#refused = key;
        return;
      }
      default:
        outcome satisfies never;
    }
  }

  /** Tell the safety core the box file changed (by the cloud or the technician) since last told. */
  async #announce(): Promise<void> {
    if (!existsSync(this.#d.boxFilePath)) return;
    const text = readFileSync(this.#d.boxFilePath);
    const hash = createHash('sha256').update(text).digest('hex');
    if (hash === this.#announced) return;
    const file = readBoxFile(this.#d.boxFilePath);
    this.#d.onBoxFile?.(file);
    const version = heldConfig(file).version ?? 0;
    const payload: ConfigApplied = { v: SCHEMA_VERSION, version, ts: this.#d.clock.now() };
    await this.#publish(topics.configApplied(), payload, { qos: 1, retain: true });
    this.#announced = hash;
  }
}
