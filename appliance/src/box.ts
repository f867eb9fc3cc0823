import type { Logger, Module } from '@vigie/common';
import { dataPaths, ModuleGroup } from '@vigie/common';
import type { BoxFile } from '@vigie/provisioning';
import { BraceletEvent, BraceletStatus, BusReading, topicFilters, topics } from '@vigie/protocol';
import type { BoxEnv } from './config.ts';
import { systemClock, type Clock } from './clock.ts';
import { LocalBroker } from './bus/local-broker.ts';
import { BusClient } from './bus/bus-client.ts';
import { openBoxDatabase } from './store/database.ts';
import { ReadingBuffer } from './store/reading-buffer.ts';
import { AlertStore } from './store/alert-store.ts';
import { AlertFollowUpStore } from './store/alert-follow-up.ts';
import { AlertFollowUp } from './safety/alert-follow-up.ts';
import { AlertRaiser } from './safety/alert-raiser.ts';
import { VitalRules } from './safety/vital-rules.ts';
import { EmergencyRules } from './safety/emergency-rules.ts';
import { SmsDispatcher } from './safety/sms-dispatcher.ts';
import { HttpCloudClient, type CloudClient } from './sync/cloud-client.ts';
import { Uplink } from './sync/uplink.ts';
import { createModem, type Modem, type ModemEmulator } from './modem/index.ts';
import { SimulatedBle } from './ble/simulated-ble.ts';
import { BleBridge } from './ble/bridge.ts';

/** Software version reported in heartbeats. */
export const BOX_SOFTWARE_VERSION = '0.1.0';

/** A running box, as `vigie-box run` and the tests drive it. */
export interface Box {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly mqttUrl: string;
  /** The in-process modem emulator when no modem device is configured. */
  readonly emulator: ModemEmulator | undefined;
  readonly alerts: AlertStore;
  readonly readings: ReadingBuffer;
  readonly dispatcher: SmsDispatcher;
  readonly followUp: AlertFollowUp;
  readonly uplink: Uplink;
}

/** What the box is built from; tests replace the clock or the cloud client. */
export interface BoxOptions {
  readonly env: BoxEnv;
  readonly boxFile: BoxFile;
  readonly log: Logger;
  readonly clock?: Clock;
  readonly cloud?: CloudClient;
}

/**
 * Wire the box. Start order follows the safety rule (style habit 3): the bus and the safety path
 * (store, modem, dispatcher, rules) first; BLE next; the uplink last. A failure of the uplink or of
 * the modem at start is logged and the box keeps running: the dispatcher retries SMS, the uplink
 * retries the cloud.
 */
export function createBox(options: BoxOptions): Box {
  const { env, boxFile, log } = options;
  const clock = options.clock ?? systemClock;
  const paths = dataPaths(env.VIGIE_DATA_DIR);

  // Two connections to one file: the safety path commits with synchronous=FULL (survives a power
  // cut), telemetry with NORMAL (survives a crash, ten times cheaper).
  const safetyDb = openBoxDatabase(paths.boxDb, { synchronous: 'FULL' });
  const telemetryDb = openBoxDatabase(paths.boxDb, { synchronous: 'NORMAL' });
  const alerts = new AlertStore(safetyDb);
  const followUpStore = new AlertFollowUpStore(safetyDb);
  const readings = new ReadingBuffer(telemetryDb);

  const broker = new LocalBroker({ port: env.VIGIE_MQTT_PORT, log: log.child({ module: 'bus' }) });
  const mqttUrl = () => broker.url;

  const { modem, emulator } = createModem({
    device: env.VIGIE_MODEM_DEVICE,
    baudRate: env.VIGIE_MODEM_BAUD,
    log: log.child({ module: 'modem' }),
    emulator: { recordFile: paths.emulatorSmsLog },
  });

  const cloud =
    options.cloud ?? new HttpCloudClient({ baseUrl: boxFile.cloudUrl, token: boxFile.token });

  // What the heartbeat reports about the bracelet, updated from the bus.
  const bracelet = { lastContactAt: null as number | null, battery: null as number | null };

  const safetyBus = new BusClient({ name: 'safety', url: mqttUrl, log: log.child({ module: 'safety-bus' }) });
  const storeBus = new BusClient({ name: 'store', url: mqttUrl, log: log.child({ module: 'store-bus' }) });
  const bleBus = new BusClient({ name: 'ble', url: mqttUrl, log: log.child({ module: 'ble-bus' }) });

  let modemRegistered = false;
  let modemSignal: number | null = null;
  const uplink = new Uplink({
    boxId: boxFile.boxId,
    readings,
    alerts,
    cloud,
    clock,
    log: log.child({ module: 'uplink' }),
    intervalMs: env.VIGIE_SYNC_INTERVAL_MS,
    heartbeatMs: env.VIGIE_HEARTBEAT_INTERVAL_MS,
    batchSize: env.VIGIE_BATCH_SIZE,
    heartbeat: () => ({
      software: { box: BOX_SOFTWARE_VERSION },
      lastBraceletContactAt: bracelet.lastContactAt,
      braceletBattery: bracelet.battery,
      modem: { registered: modemRegistered, signal: modemSignal },
      diskFreeBytes: null,
    }),
  });

  const alertChanged = (alertId: string) => {
    const event = alerts.event(alertId, boxFile.boxId);
    if (event) {
      safetyBus
        .publish(topics.alert(alertId), event, { qos: 1, retain: true })
        .catch((err: unknown) => log.warn({ err, alertId }, 'could not publish alert state on the bus'));
    }
    uplink.kick();
  };

  const dispatcher = new SmsDispatcher({
    store: alerts,
    modem,
    clock,
    log: log.child({ module: 'sms' }),
    onAlertChanged: alertChanged,
  });
  const raiser = new AlertRaiser({
    store: alerts,
    clock,
    log: log.child({ module: 'rules' }),
    contacts: () => boxFile.contacts,
    patientName: () => boxFile.patient.displayName,
    policy: () => boxFile.alerting,
    onRaised: (alertId) => {
      dispatcher.kick();
      alertChanged(alertId);
    },
  });
  const rules = new EmergencyRules(raiser);
  const vitals = new VitalRules({ raiser, clock, log: log.child({ module: 'vital-rules' }), thresholds: () => boxFile.thresholds });
  safetyBus.subscribe(topicFilters.readings, BusReading, (msg) => vitals.onReading(msg));
  safetyBus.subscribe(topicFilters.statuses, BraceletStatus, (status) => vitals.onStatus(status));
  const followUp = new AlertFollowUp({
    store: followUpStore,
    contacts: () => boxFile.contacts,
    patientName: () => boxFile.patient.displayName,
    policy: () => boxFile.alerting,
    clock,
    log: log.child({ module: 'follow-up' }),
    kick: () => dispatcher.kick(),
    onAlertChanged: alertChanged,
  });
  // Replies from contacts acknowledge alerts (TS 27.005 +CMTI → AT+CMGR, read by the modem adapter).
  modem.on('sms', (sms) => followUp.onIncomingSms(sms));
  safetyBus.subscribe(topicFilters.events, BraceletEvent, (event) => rules.onBraceletEvent(event));

  storeBus.subscribe(topicFilters.readings, BusReading, (msg) => {
    bracelet.lastContactAt = clock.now();
    try {
      readings.append(msg.braceletId, msg.reading);
    } catch (err) {
      log.error({ err, metric: msg.reading.metric }, 'could not store a reading');
    }
  });
  storeBus.subscribe(topicFilters.statuses, BraceletStatus, (status) => {
    if (status.connected) bracelet.lastContactAt = clock.now();
    if (status.battery !== null) bracelet.battery = status.battery;
  });

  const ble = new SimulatedBle({ socketPath: paths.braceletRadioSocket, clock: () => clock.now(), log: log.child({ module: 'ble' }) });
  const bridge = new BleBridge({ ble, publish: bleBus.publish, clock: () => clock.now(), log: log.child({ module: 'ble-bridge' }) });

  const modemModule: Module = {
    name: 'modem',
    start: async () => {
      await modem.start();
      const health = await modem.health();
      modemRegistered = health.registered;
      modemSignal = health.signal;
      log.info({ sim: health.sim, registered: health.registered, signal: health.signal }, 'modem ready');
    },
    stop: () => modem.stop(),
  };

  const group = new ModuleGroup()
    .add(broker)
    .add(safetyBus)
    .add(modemModule)
    .add(dispatcher)
    .add(followUp)
    .add(vitals)
    .add(storeBus)
    .add(bleBus)
    .add(bridge)
    .add(ble)
    .add(uplink);
  const essential = new Set<string>([broker.name, safetyBus.name, dispatcher.name, followUp.name, storeBus.name]);

  return {
    get mqttUrl() {
      return broker.url;
    },
    emulator,
    alerts,
    readings,
    dispatcher,
    followUp,
    uplink,
    async start() {
      await group.start((module, err) => {
        log.error({ err, module: module.name }, 'module failed to start');
        return essential.has(module.name) ? 'abort' : 'continue';
      });
    },
    async stop() {
      try {
        await group.stop();
      } finally {
        telemetryDb.close();
        safetyDb.close();
      }
    },
  };
}

export type { Modem };
