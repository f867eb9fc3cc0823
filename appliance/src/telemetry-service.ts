import type { Logger } from '@vigie/common';
import { dataPaths, ModuleGroup } from '@vigie/common';
import type { BoxFile } from '@vigie/provisioning';
import { AlertEvent, BraceletStatus, BusReading, ModemStatus, SCHEMA_VERSION, topicFilters, topics } from '@vigie/protocol';
import type { BoxEnv } from './config.ts';
import { systemClock, type Clock } from './clock.ts';
import { BusClient } from './bus/bus-client.ts';
import { openBoxDatabase } from './store/database.ts';
import { ReadingBuffer } from './store/reading-buffer.ts';
import { AlertStore } from './store/alert-store.ts';
import { HttpCloudClient, type CloudClient } from './sync/cloud-client.ts';
import { Uplink } from './sync/uplink.ts';

/** Software version reported in heartbeats. */
export const BOX_SOFTWARE_VERSION = '0.1.0';

/** The running telemetry service. */
export interface TelemetryService {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly readings: ReadingBuffer;
  readonly uplink: Uplink;
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
}): TelemetryService {
  const { env, boxFile, log } = options;
  const clock = options.clock ?? systemClock;
  const paths = dataPaths(env.VIGIE_DATA_DIR);
  // synchronous=NORMAL: a reading committed here survives a crash; ten times cheaper than FULL.
  const db = openBoxDatabase(paths.boxDb, { synchronous: 'NORMAL' });
  const readings = new ReadingBuffer(db);
  const alerts = new AlertStore(db);
  const cloud = options.cloud ?? new HttpCloudClient({ baseUrl: boxFile.cloudUrl, token: boxFile.token });
  const bus = new BusClient({ name: 'telemetry', url: options.mqttUrl, log: log.child({ module: 'telemetry-bus' }) });

  // What the heartbeat says about the bracelet and the modem, as last heard on the bus.
  const seen = {
    lastBraceletContactAt: null as number | null,
    braceletBattery: null as number | null,
    modem: { registered: false, signal: null as number | null },
  };

  let lastOnline: boolean | undefined;
  let lastPublished = 0;
  let lastSuccessAt: number | null = null;
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
      lastBraceletContactAt: seen.lastBraceletContactAt,
      braceletBattery: seen.braceletBattery,
      modem: { ...seen.modem },
      diskFreeBytes: null,
    }),
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
    if (status.battery !== null) seen.braceletBattery = status.battery;
  });
  bus.subscribe(topics.modemStatus(), ModemStatus, (status) => {
    seen.modem = { registered: status.registered, signal: status.signal };
  });
  // An alert changed (the safety core wrote it to SQLite): send it now, ahead of any backlog.
  bus.subscribe(topicFilters.alerts, AlertEvent, () => uplink.kick());

  const group = new ModuleGroup().add(bus).add(uplink);
  return {
    readings,
    uplink,
    async start() {
      await group.start();
    },
    async stop() {
      try {
        await group.stop();
      } finally {
        db.close();
      }
    },
  };
}
