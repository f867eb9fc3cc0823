/**
 * The box side of test/kill-replay.test.ts: the real ReadingBuffer, AlertStore and Uplink over the
 * real KafkaCloudClient, replaying a pre-filled SQLite buffer. Killed with SIGKILL at random and
 * restarted; prints `sent` after every batch Kafka acknowledged and `drained` once the buffer is empty.
 *
 *     tsx box-replay.ts <sqlite file> <brokers,…> <box id> <signing key file> <batch size>
 */
import { silentLogger } from '@vigie/common';
import { openBoxDatabase } from '../../appliance/src/store/database.ts';
import { ReadingBuffer } from '../../appliance/src/telemetry/buffer/reading-buffer.ts';
import { AlertStore } from '../../appliance/src/safety-core/alert-store.ts';
import { Uplink } from '../../appliance/src/telemetry/uplink.ts';
import { KafkaCloudClient } from '../../appliance/src/telemetry/kafka-cloud-client.ts';
import { loadOrCreateBoxSigningKey } from '../../appliance/src/telemetry/box-signing-key.ts';
import { systemClock } from '../../appliance/src/clock.ts';

const [file, brokers, boxId, keyFile, batchSize] = process.argv.slice(2);
const db = openBoxDatabase(file!, { synchronous: 'NORMAL' });
const readings = new ReadingBuffer(db);
const signingKey = loadOrCreateBoxSigningKey(keyFile!);
const cloud = new KafkaCloudClient({ brokers: brokers!.split(','), boxId: boxId!, signingKey, clientId: 'kill-replay-box' });
const uplink = new Uplink({
  boxId: boxId!,
  readings,
  alerts: new AlertStore(db),
  // `sent` after each acked batch (before the cursor moves): the test kills at a random one of them.
  cloud: {
    sendTelemetry: async (batch) => {
      const receipt = await cloud.sendTelemetry(batch);
      process.stdout.write('sent\n');
      return receipt;
    },
    sendAlert: (event) => cloud.sendAlert(event),
    sendHeartbeat: (heartbeat) => cloud.sendHeartbeat(heartbeat),
  },
  clock: systemClock,
  log: silentLogger(),
  intervalMs: 200,
  heartbeatMs: 3_600_000,
  batchSize: Number(batchSize),
  heartbeat: () => ({ software: { box: 'kill-test' }, lastBraceletContactAt: null, braceletBattery: null, modem: { registered: false, signal: null }, diskFreeBytes: null }),
  onCycle: (online) => {
    if (online && readings.depth().depth === 0) process.stdout.write('drained\n');
  },
});
await uplink.start();
process.stdout.write('started\n');
