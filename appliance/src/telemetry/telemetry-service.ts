import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '@vigie/common';
import { dataPaths, ModuleGroup } from '@vigie/common';
import { readBusCredential, type BoxFile } from '@vigie/provisioning';
import { AlertEvent, BoxCommandResult, BraceletStatus, BusReading, isOpenAlertState, ModemStatus, SCHEMA_VERSION, topicFilters, topics } from '@vigie/protocol';
import type { BoxEnv } from '../config.ts';
import { systemClock, type Clock } from '../clock.ts';
import { BusClient } from '../bus/bus-client.ts';
import { openBoxDatabase } from '../store/database.ts';
import { ReadingBuffer } from './buffer/reading-buffer.ts';
import { AlertStore } from '../safety-core/alert-store.ts';
import { CloudHttp, HttpCloudClient, type CloudClient } from './cloud-client.ts';
import { KafkaCloudClient, kafkaOptionsFromEnv } from './kafka-cloud-client.ts';
import { boxSigningKeyPath, loadOrCreateBoxSigningKey, registerSigningKey } from './box-signing-key.ts';
import { Uplink } from './uplink.ts';
import { diskFreeBytes, softwareVersions } from './box-health.ts';
import { BOX_SOFTWARE_VERSION } from '../box-version.ts';
import { Downlink } from './downlink.ts';
import { BoxMetricsCollector } from './box-metrics.ts';
import { recordProcessStart } from '../store/process-starts.ts';
import { HttpDownlinkClient, type DownlinkClient } from './downlink-client.ts';
import { DailySelfTest } from '../selftest/daily-selftest.ts';
import { createClockSync } from '../selftest/clock-sync.ts';

/** Software version reported in heartbeats. */
export { BOX_SOFTWARE_VERSION } from '../box-version.ts';

/** The running telemetry service. */
export interface TelemetryService {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly readings: ReadingBuffer;
  readonly uplink: Uplink;
  /** The daily self-test, whose last result every heartbeat carries. */
  readonly selfTest: DailySelfTest;
  /** The box metrics sent with each heartbeat (and shown by `vigie-box status`). */
  readonly metrics: BoxMetricsCollector;
}

/**
 * Store and forward: keeps every reading from the bus in SQLite until the cloud has it, and sends
 * alert changes (written by the safety core), readings and heartbeats to the cloud. It only
 * listens to the bus: when it dies, the safety core does not notice.
 */
export function createTelemetryService(options: {
  env: BoxEnv;
  boxFile: BoxFile;
  log: Logger;
  mqttUrl: () => string;
  clock?: Clock;
  cloud?: CloudClient;
  /** The cloud → box client (configuration, commands); default: HTTPS to the box file's cloud URL. */
  downlink?: DownlinkClient;
}): TelemetryService {
  const { env, boxFile, log } = options;
  const clock = options.clock ?? systemClock;
  const paths = dataPaths(env.VIGIE_DATA_DIR);
  // synchronous=NORMAL: a reading committed here survives a crash; ten times cheaper than FULL.
  const db = openBoxDatabase(paths.boxDb, { synchronous: 'NORMAL' });
  const readings = new ReadingBuffer(db, {
    limits: { maxRows: env.VIGIE_BUFFER_MAX_ROWS, maxBytes: env.VIGIE_BUFFER_MAX_BYTES },
    log: log.child({ module: 'reading-buffer' }),
  });
  const software = softwareVersions(BOX_SOFTWARE_VERSION, db);
  const alerts = new AlertStore(db);
  // KAFKA_BROKERS set: produce to Kafka (docs/decisions/0005-kafka-exactly-once.md); else HTTPS.
  const kafkaOptions = options.cloud ? null : kafkaOptionsFromEnv(env);
  const kafkaClient = kafkaOptions ? kafkaCloudClient(kafkaOptions, { env, boxFile, boxFilePath: paths.boxConfig, log }) : null;
  const cloud =
    options.cloud ??
    kafkaClient ??
    new HttpCloudClient({
      baseUrl: boxFile.cloudUrl,
      token: boxFile.token,
      ...(env.VIGIE_CLOUD_CA_FILE ? { ca: readFileSync(env.VIGIE_CLOUD_CA_FILE, 'utf8') } : {}),
    });
  const bus = new BusClient({
    name: 'telemetry',
    url: options.mqttUrl,
    log: log.child({ module: 'telemetry-bus' }),
    as: 'telemetry',
    secret: () => readBusCredential(paths.box, 'telemetry'),
  });

  // The box file as last announced by the downlink (configuration version, cloud cadences).
  let latestFile = boxFile;
  // Cadences: the cloud's when it sent some, never slower than the environment's (which sets the
  // slowest the box may go; development runs it fast).
  const cadence = {
    syncMs: () => Math.min(env.VIGIE_SYNC_INTERVAL_MS, (latestFile.cadences?.syncIntervalSeconds ?? Infinity) * 1_000),
    heartbeatMs: () => Math.min(env.VIGIE_HEARTBEAT_INTERVAL_MS, (latestFile.cadences?.heartbeatIntervalSeconds ?? Infinity) * 1_000),
  };
  const openAlerts = new Set<string>();
  const downlink = new Downlink({
    client:
      options.downlink ??
      new HttpDownlinkClient({
        baseUrl: boxFile.cloudUrl,
        token: boxFile.token,
        ...(env.VIGIE_CLOUD_CA_FILE ? { ca: readFileSync(env.VIGIE_CLOUD_CA_FILE, 'utf8') } : {}),
      }),
    boxFilePath: paths.boxConfig,
    publish: (topic, payload, opts) => bus.publish(topic, payload, opts),
    clock,
    log: log.child({ module: 'downlink' }),
    idleIntervalMs: () => cadence.syncMs(),
    alertOpen: () => openAlerts.size > 0,
    onBoxFile: (file) => {
      latestFile = file;
    },
  });

  // What the heartbeat says about the bracelet and the modem, as last heard on the bus.
  const seen = {
    lastBraceletContactAt: null as number | null,
    braceletConnected: null as boolean | null,
    braceletBattery: null as number | null,
    modem: { registered: false, signal: null as number | null },
    modemStatus: null as ModemStatus | null,
  };
  const selfTest = new DailySelfTest({
    clock,
    log: log.child({ module: 'selftest' }),
    busPort: () => Number(new URL(options.mqttUrl()).port),
    dbPath: paths.boxDb,
    dataDir: dirname(paths.boxDb),
    clockSync: createClockSync(env.VIGIE_CLOCK_SYNC),
    modemStatus: () => seen.modemStatus,
    lastBraceletContactAt: () => seen.lastBraceletContactAt,
    onResult: (summary) => {
      bus.publish(topics.selfTestStatus(), { v: SCHEMA_VERSION, ts: summary.at, failed: summary.failed }, { qos: 1, retain: true }).catch((err: unknown) => {
        log.warn({ err }, 'could not publish the self-test status');
      });
    },
  });

  let lastOnline: boolean | undefined;
  let lastPublished = 0;
  let lastSuccessAt: number | null = null;
  let diskFree: number | null = null;
  const boxMetrics = new BoxMetricsCollector(db, {
    now: () => clock.now(),
    bracelet: () => ({ connected: seen.braceletConnected, lastContactAt: seen.lastBraceletContactAt }),
    modem: () => seen.modem,
    lastUplinkSuccessAt: () => lastSuccessAt,
    diskFreeBytes: () => diskFree,
    selfTest: () => selfTest.latestRun(),
  });
  const uplink = new Uplink({
    boxId: boxFile.boxId,
    readings,
    alerts,
    cloud,
    clock,
    log: log.child({ module: 'uplink' }),
    // Read at every cycle: a cadence pushed by the cloud applies without a restart.
    get intervalMs() {
      return cadence.syncMs();
    },
    get heartbeatMs() {
      return cadence.heartbeatMs();
    },
    batchSize: env.VIGIE_BATCH_SIZE,
    cadences: () => env.VIGIE_SEND_CADENCES,
    heartbeat: async () => {
      diskFree = await diskFreeBytes(dirname(paths.boxDb));
      const { depth, oldestTs } = readings.depth();
      return {
        ...(latestFile.cloudConfig ? { configVersion: latestFile.cloudConfig.version } : {}),
        software,
        lastBraceletContactAt: seen.lastBraceletContactAt,
        braceletBattery: seen.braceletBattery,
        modem: { ...seen.modem },
        diskFreeBytes: diskFree,
        ...(selfTest.latest() ? { selftest: selfTest.latest() } : {}),
        metrics: await boxMetrics.samples({ depth, oldestUnsentAt: oldestTs }),
      };
    },
    onCycle: (online) => {
      const now = clock.now();
      if (online) lastSuccessAt = now;
      if (online === lastOnline && now - lastPublished < 60_000) return;
      lastOnline = online;
      lastPublished = now;
      bus.publish(topics.uplinkStatus(), { v: SCHEMA_VERSION, ts: now, online, lastSuccessAt }, { qos: 1, retain: true }).catch((err: unknown) => {
        log.warn({ err }, 'could not publish the uplink status');
      });
    },
  });

  bus.subscribe(topicFilters.readings, BusReading, (msg) => {
    seen.lastBraceletContactAt = clock.now();
    try {
      readings.append(msg.braceletId, msg.reading);
    } catch (err) {
      log.error({ err, metric: msg.reading.metric }, 'could not store a reading');
    }
  });
  bus.subscribe(topicFilters.statuses, BraceletStatus, (status) => {
    if (status.connected) seen.lastBraceletContactAt = clock.now();
    seen.braceletConnected = status.connected;
    if (status.battery !== null) seen.braceletBattery = status.battery;
  });
  bus.subscribe(topics.modemStatus(), ModemStatus, (status) => {
    seen.modem = { registered: status.registered, signal: status.signal };
    seen.modemStatus = status;
  });
  // An alert changed (the safety core wrote it to SQLite): send it now, ahead of any backlog.
  bus.subscribe(topicFilters.alerts, AlertEvent, (event) => {
    uplink.kick();
    // While an alert is open the downlink polls every 2 s, so a portal acknowledgement arrives fast.
    const wasOpen = openAlerts.size > 0;
    if (isOpenAlertState(event.state)) openAlerts.add(event.alertId);
    else openAlerts.delete(event.alertId);
    if (!wasOpen && openAlerts.size > 0) downlink.kick();
  });
  bus.subscribe(topicFilters.commandResults, BoxCommandResult, (result) => void downlink.onCommandResult(result));

  const group = new ModuleGroup().add(bus).add(uplink).add(downlink).add(selfTest);
  return {
    readings,
    uplink,
    selfTest,
    metrics: boxMetrics,
    async start() {
      await group.start();
      try {
        recordProcessStart(db, 'telemetry', clock.now());
      } catch (err) {
        log.warn({ err }, 'could not count the telemetry process start');
      }
    },
    async stop() {
      try {
        await group.stop();
      } finally {
        await kafkaClient?.stop();
        db.close();
      }
    },
  };
}

/**
 * The Kafka transport, signing with the box's own ed25519 key (created beside the box file at the
 * first start of a box that has none) and registering its public half over HTTPS before the first
 * produce (docs/decisions/0005-kafka-exactly-once.md, "Message authentication").
 */
function kafkaCloudClient(
  kafkaOptions: NonNullable<ReturnType<typeof kafkaOptionsFromEnv>>,
  deps: { env: BoxEnv; boxFile: BoxFile; boxFilePath: string; log: Logger },
): KafkaCloudClient {
  const { env, boxFile, log } = deps;
  const signingKey = loadOrCreateBoxSigningKey(boxSigningKeyPath(deps.boxFilePath));
  const http = new CloudHttp({
    baseUrl: boxFile.cloudUrl,
    token: boxFile.token,
    maxSockets: 1,
    ...(env.VIGIE_CLOUD_CA_FILE ? { ca: readFileSync(env.VIGIE_CLOUD_CA_FILE, 'utf8') } : {}),
  });
  return new KafkaCloudClient({
    ...kafkaOptions,
    boxId: boxFile.boxId,
    signingKey,
    registerKey: (publicKey) => registerSigningKey(http, boxFile.boxId, publicKey),
    log,
  });
}
