import type { Logger, Module } from '@vigie/common';
import { dataPaths, ModuleGroup } from '@vigie/common';
import { ensureBusCredentials, provisioningErrors, readBoxFile, readBusCredential, updateBoxFile, type BoxFile } from '@vigie/provisioning';
import {
  BoxCommand,
  BraceletEvent,
  BraceletStatus,
  BusReading,
  ConfigApplied,
  SCHEMA_VERSION,
  topicFilters,
  topics,
  verifyBoxCommand,
  type BoxCommandResult,
} from '@vigie/protocol';
import type { BoxEnv } from '../config.ts';
import { systemClock, type Clock } from '../clock.ts';
import { LocalBroker } from '../bus/local-broker.ts';
import { BusClient } from '../bus/bus-client.ts';
import { openBoxDatabase } from '../store/database.ts';
import { recordProcessStart } from '../store/process-starts.ts';
import { AlertStore } from './alert-store.ts';
import { AlertFollowUpStore } from './alert-follow-up-store.ts';
import { AlertFollowUp } from './alert-follow-up.ts';
import { AlertRaiser } from './alert-raiser.ts';
import { VitalRules } from './vital-rules.ts';
import { EmergencyRules } from './emergency-rules.ts';
import { SmsDispatcher } from './sms-dispatcher.ts';
import { createModem, type ModemEmulator } from '../modem/index.ts';
import { createBle } from '../ble/factory.ts';
import { createGpio } from '../gpio/factory.ts';
import { BoxButtons } from '../gpio/buttons.ts';
import type { SimulatedGpio } from '../gpio/simulated-gpio.ts';
import { BleLink } from '../ble/ble-link.ts';

/** The running safety core. */
export interface SafetyCore {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The local broker other components connect to (valid once started). */
  readonly mqttUrl: string;
  /** The broker's refusals by reason (tests, health). */
  busRefusals(): ReturnType<LocalBroker['refusals']>;
  readonly emulator: ModemEmulator | undefined;
  readonly alerts: AlertStore;
  readonly dispatcher: SmsDispatcher;
  readonly followUp: AlertFollowUp;
  /** What a short press of the box's button does (tests, and a future local API). */
  cancelFall(): string | null;
  /** The BLE link (pairing a new bracelet). */
  readonly bleLink: BleLink;
  /** The simulated GPIO when VIGIE_GPIO=simulated (development and tests press its buttons). */
  readonly simulatedGpio: SimulatedGpio | undefined;
}

/** How often the modem's health is read and published. */
const MODEM_HEALTH_MS = 60_000;

/**
 * Saves the bracelet just paired in the box file without ever holding up the alert path.
 *
 * The save is a read → change → write under the box file lock (`updateBoxFile`), so it loses
 * neither the telemetry service's cloud configuration nor a technician's edit, and is lost by
 * neither. Waiting for that lock blocks the event loop, which also runs the alert path: it waits at
 * most `waitMs` (another process holds the lock for one small write, tens of ms on an SD card).
 * When the lock stays busy, the BLE link is bound to the new bracelet in memory anyway, and saving
 * is tried again from a timer, `attempts` times in all; only a restart before it succeeds loses the
 * pairing, and every failure is logged with its reason.
 */
export function createPairedBraceletSaver(deps: {
  boxFilePath: string;
  log: Logger;
  waitMs?: number;
  retryMs?: number;
  attempts?: number;
}): { save(deviceId: string): void; stop(): void } {
  const { boxFilePath, log, waitMs = 200, retryMs = 5_000, attempts = 12 } = deps;
  let timer: NodeJS.Timeout | undefined;
  const save = (deviceId: string, attempt: number): void => {
    clearTimeout(timer);
    timer = undefined;
    try {
      updateBoxFile(boxFilePath, (current) => (current.braceletId === deviceId ? null : { ...current, braceletId: deviceId }), { waitMs });
      if (attempt > 1) log.warn({ deviceId, attempt }, 'pairing: paired bracelet saved');
    } catch (err) {
      if (!provisioningErrors.is(err, 'PROVISION_FILE_LOCKED') || attempt >= attempts) throw err;
      log.warn({ err, deviceId, attempt }, 'pairing: box file locked by another process; saving again shortly');
      timer = setTimeout(() => {
        try {
          save(deviceId, attempt + 1);
        } catch (retryErr) {
          log.error({ err: retryErr, deviceId, attempt: attempt + 1 }, 'pairing: could not save the paired bracelet; paired until the box restarts');
        }
      }, retryMs);
      timer.unref();
    }
  };
  return {
    /** Save now, or schedule retries; throws only for a failure other than a busy lock. */
    save: (deviceId) => save(deviceId, 1),
    stop: () => clearTimeout(timer),
  };
}

/**
 * The safety core: BLE → rules → SMS, and nothing else. It owns the local broker (so the bus lives
 * as long as the safety path does), the BLE adapter, the rules, the alert store and the modem. It
 * does not depend on the cloud, the telemetry store, the screen or OTA: those run as other
 * processes (or other modules) that only subscribe to what it publishes.
 */
export function createSafetyCore(options: { env: BoxEnv; boxFile: BoxFile; log: Logger; clock?: Clock }): SafetyCore {
  const { env, log } = options;
  // Swapped whole when the box file changes (cloud configuration, technician's CLI): every rule
  // reads it through a closure, so the next decision sees the new file, never half of it.
  let boxFile = options.boxFile;
  const clock = options.clock ?? systemClock;
  const paths = dataPaths(env.VIGIE_DATA_DIR);

  // synchronous=FULL: an alert committed here survives a power cut, not only a crash.
  const db = openBoxDatabase(paths.boxDb, { synchronous: 'FULL' });
  const alerts = new AlertStore(db);
  const followUpStore = new AlertFollowUpStore(db);

  // The bus never runs open: credentials missing at start (a box provisioned before they existed,
  // development, tests) are created here, 0600 in a 0700 folder, before the broker listens.
  const broker = new LocalBroker({ port: env.VIGIE_MQTT_PORT, log: log.child({ module: 'bus' }), credentials: () => ensureBusCredentials(paths.box) });
  const mqttUrl = () => broker.url;
  const bus = new BusClient({ name: 'safety', url: mqttUrl, log: log.child({ module: 'safety-bus' }), as: 'safety', secret: () => readBusCredential(paths.box, 'safety') });
  const bleBus = new BusClient({ name: 'ble', url: mqttUrl, log: log.child({ module: 'ble-bus' }), as: 'ble', secret: () => readBusCredential(paths.box, 'ble') });

  const { modem, emulator } = createModem({
    device: env.VIGIE_MODEM_DEVICE,
    baudRate: env.VIGIE_MODEM_BAUD,
    commandTimeoutMs: env.VIGIE_MODEM_COMMAND_TIMEOUT_MS,
    sendTimeoutMs: env.VIGIE_MODEM_SEND_TIMEOUT_MS,
    log: log.child({ module: 'modem' }),
    emulator: { recordFile: paths.emulatorSmsLog },
  });

  /** Tell the bus (telemetry, screen) that an alert changed. */
  const alertChanged = (alertId: string) => {
    const event = alerts.event(alertId, boxFile.boxId);
    if (!event) return;
    bus.publish(topics.alert(alertId), event, { qos: 1, retain: true }).catch((err: unknown) => {
      log.warn({ err, alertId }, 'could not publish alert state on the bus');
    });
  };

  // The screen and the heartbeat must show a modem problem as soon as a send reveals it, and its
  // end as soon as a send succeeds again, not at the next periodic check.
  let lastSendOk: boolean | undefined;
  const dispatcher = new SmsDispatcher({
    store: alerts,
    modem,
    clock,
    log: log.child({ module: 'sms' }),
    onAlertChanged: alertChanged,
    onSendOutcome: (ok) => {
      if (ok === lastSendOk) return;
      lastSendOk = ok;
      void publishModemHealth().catch(() => {});
    },
  });
  const raiser = new AlertRaiser({
    store: alerts,
    clock,
    log: log.child({ module: 'rules' }),
    contacts: () => boxFile.contacts,
    patientName: () => boxFile.patient.displayName,
    policy: () => boxFile.alerting,
    onRaised: (alertId, holdUntil) => {
      dispatcher.kick();
      // A fall's SMS wait for its cancel window: send them the moment it ends.
      if (holdUntil !== null) dispatcher.kickAt(holdUntil);
      alertChanged(alertId);
    },
  });
  const rules = new EmergencyRules(raiser, clock);
  const vitals = new VitalRules({ raiser, clock, log: log.child({ module: 'vital-rules' }), thresholds: () => boxFile.thresholds });
  const followUp = new AlertFollowUp({
    store: followUpStore,
    contacts: () => boxFile.contacts,
    patientName: () => boxFile.patient.displayName,
    policy: () => boxFile.alerting,
    clock,
    log: log.child({ module: 'follow-up' }),
    kick: () => dispatcher.kick(),
    onAlertChanged: alertChanged,
    region: () => boxFile.region,
  });
  // Replies from contacts acknowledge alerts (TS 27.005 +CMTI → AT+CMGR, read by the modem adapter).
  modem.on('sms', (sms) => followUp.onIncomingSms(sms));

  // The telemetry service replaced the box file (a cloud configuration) or saw the technician change
  // it: read it again, whole. A file that does not validate is refused and the one in force stays.
  const reloadBoxFile = (announced: ConfigApplied) => {
    try {
      const next = readBoxFile(paths.boxConfig);
      if (next.boxId !== boxFile.boxId) throw new Error('the box file names another box');
      boxFile = next;
      log.info({ configVersion: next.cloudConfig?.version ?? null, contacts: next.contacts.length }, 'box configuration reloaded');
    } catch (err) {
      log.error({ err, announced: announced.version }, 'box configuration refused; the one in force stays');
    }
  };
  bus.subscribe(topics.configApplied(), ConfigApplied, reloadBoxFile);
  // A portal acknowledgement relayed by the telemetry service: the same path as an SMS "OK".
  // Only the telemetry process may publish commands (bus-acl.ts), and even it cannot make one: the
  // cloud signs each for this box (protocol/src/command-signature.ts), checked here before acting.
  bus.subscribe(topicFilters.commands, BoxCommand, (command) => {
    const problem = verifyBoxCommand(boxFile.commandKey, boxFile.boxId, command);
    if (problem !== null) {
      log.warn({ code: 'BOX_COMMAND_SIGNATURE_INVALID', reason: problem, commandId: command.commandId, kind: command.kind }, 'command refused: not signed by the cloud');
      return;
    }
    const outcome = followUp.acknowledgeFromPortal({ alertId: command.alertId, by: command.by });
    if (outcome === null) return;
    const result: BoxCommandResult = { v: SCHEMA_VERSION, boxId: boxFile.boxId, commandId: command.commandId, outcome, at: clock.now() };
    bus.publish(topics.commandResult(command.commandId), result, { qos: 1 }).catch((err: unknown) => {
      log.warn({ err, commandId: command.commandId }, 'could not publish a command result');
    });
  });
  bus.subscribe(topicFilters.events, BraceletEvent, (event) => rules.onBraceletEvent(event));
  bus.subscribe(topicFilters.readings, BusReading, (msg) => vitals.onReading(msg));
  bus.subscribe(topicFilters.statuses, BraceletStatus, (status) => vitals.onStatus(status));

  const bleLog = log.child({ module: 'ble' });
  const pairedSaver = createPairedBraceletSaver({ boxFilePath: paths.boxConfig, log: bleLog });
  const bleLink = new BleLink({
    createPort: (address) =>
      env.VIGIE_BLE === 'noble'
        ? createBle({ kind: 'noble', braceletAddress: address, hciDeviceId: env.VIGIE_BLE_HCI, clock: () => clock.now(), log: bleLog })
        : createBle({ kind: 'simulated', socketPath: paths.braceletRadioSocket, clock: () => clock.now(), log: bleLog }),
    publish: bleBus.publish,
    clock: () => clock.now(),
    log: bleLog,
    address: boxFile.braceletId,
    // The paired bracelet survives a restart: it is the technician's box file that says it.
    savePaired: (deviceId) => pairedSaver.save(deviceId),
  });

  let healthTimer: NodeJS.Timeout | undefined;
  const publishModemHealth = async () => {
    let status;
    try {
      const h = await modem.health();
      status = { v: SCHEMA_VERSION, ts: clock.now(), responding: true, sim: h.sim, registered: h.registered, signal: h.signal };
    } catch {
      status = { v: SCHEMA_VERSION, ts: clock.now(), responding: false, sim: 'unknown' as const, registered: false, signal: null };
    }
    await bus.publish(topics.modemStatus(), status, { qos: 1, retain: true });
    return status;
  };
  const modemModule: Module = {
    name: 'modem',
    start: async () => {
      // A modem that fails to start is retried by every send and health check: the core runs on.
      await modem.start().catch((err: unknown) => log.error({ err }, 'modem not ready; will retry'));
      const status = await publishModemHealth();
      log.info({ responding: status.responding, sim: status.sim, registered: status.registered, signal: status.signal }, 'modem status');
      healthTimer = setInterval(() => void publishModemHealth().catch(() => {}), MODEM_HEALTH_MS);
    },
    stop: async () => {
      clearInterval(healthTimer);
      await modem.stop();
    },
  };

  /** A short press of the box's button: cancel a fall still in its window (nothing has been sent). */
  const cancelFall = (): string | null => {
    const alertId = followUpStore.cancelInWindow(clock.now());
    if (alertId) {
      log.warn({ alertId }, 'fall cancelled by the patient within its window');
      alertChanged(alertId);
    }
    return alertId;
  };

  // The box's button: a long press is a call for help (raised while still held, never delayed).
  // A short press cancels a fall during its window (the screen counts it down).
  let buttons: BoxButtons | undefined;
  let simulatedGpio: SimulatedGpio | undefined;
  const buttonsModule: Module = {
    name: 'buttons',
    start: async () => {
      if (env.VIGIE_GPIO === 'none') return;
      const { gpio, simulated } = await createGpio({ adapter: env.VIGIE_GPIO, log: log.child({ module: 'gpio' }) });
      simulatedGpio = simulated;
      buttons = new BoxButtons({ gpio, log: log.child({ module: 'buttons' }) });
      buttons.on('long-press', ({ at }) => raiser.raise('manual_help', `box-button:${at}`));
      buttons.on('press', () => cancelFall());
      buttons.on('pairing', () => void bleLink.startPairing());
      await buttons.start();
    },
    stop: async () => {
      await buttons?.stop();
    },
  };

  const group = new ModuleGroup()
    .add(broker)
    .add(bus)
    .add(modemModule)
    .add(dispatcher)
    .add(followUp)
    .add(vitals)
    .add(buttonsModule)
    .add(bleBus)
    .add(bleLink);

  return {
    get mqttUrl() {
      return broker.url;
    },
    busRefusals: () => broker.refusals(),
    emulator,
    alerts,
    dispatcher,
    followUp,
    cancelFall,
    bleLink,
    get simulatedGpio() {
      return simulatedGpio;
    },
    async start() {
      await group.start((module, err) => {
        log.error({ err, module: module.name }, 'module failed to start');
        // Without BLE the core still raises alerts from the box's button and texts contacts; without
        // buttons it still texts for the bracelet.
        return [bleLink.name, buttonsModule.name].includes(module.name) ? 'continue' : 'abort';
      });
      // Counted once the core runs (never before: nothing may delay it), for vigie_box_process_starts_total.
      try {
        recordProcessStart(db, 'safety', clock.now());
      } catch (err) {
        log.warn({ err }, 'could not count the safety core start');
      }
    },
    async stop() {
      pairedSaver.stop();
      try {
        await group.stop();
      } finally {
        db.close();
      }
    },
  };
}
