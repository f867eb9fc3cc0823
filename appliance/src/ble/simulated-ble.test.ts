import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createLogger, dataPaths, silentLogger } from '@vigie/common';
import { tempDir } from '@vigie/common/testing';
import { BraceletSimulator } from '@vigie/bracelet';
import { GattCharacteristic } from '@vigie/protocol';
import { blePortSuite, nextEvent } from './ble-port-suite.ts';
import { SimulatedBle, type Schedule } from './simulated-ble.ts';
import type { BleNotification } from './port.ts';

/** A bracelet simulator on a temp radio socket and a SimulatedBle connected to it. */
async function simulatedFixture() {
  const dir = tempDir('vigie-ble-');
  const socketPath = dataPaths(dir.path).braceletRadioSocket;
  const bracelet = new BraceletSimulator({ deviceId: 'BR-TEST-0001', radioSocketPath: socketPath, schedule: () => () => {} });
  await bracelet.start();
  const port = new SimulatedBle({ socketPath, log: silentLogger(), backoff: { initialMs: 10, maxMs: 50 } });
  await port.start();
  return {
    port,
    bracelet,
    takeBraceletAway: () => bracelet.stop(),
    async cleanup() {
      await port.stop();
      await bracelet.stop();
      dir.cleanup();
    },
  };
}

blePortSuite('simulated', simulatedFixture);

test('stamps notifications with the box clock at reception', async () => {
  const dir = tempDir('vigie-ble-');
  const socketPath = dataPaths(dir.path).braceletRadioSocket;
  const bracelet = new BraceletSimulator({ deviceId: 'BR-TEST-0001', radioSocketPath: socketPath, schedule: () => () => {} });
  const port = new SimulatedBle({ socketPath, log: silentLogger(), clock: () => 1_767_600_000_123 });
  try {
    await bracelet.start();
    const battery = nextEvent(port, 'notification', (n) => n.characteristic === GattCharacteristic.batteryLevel);
    await port.start();
    const [n] = await battery;
    assert.equal(n.receivedAt, 1_767_600_000_123);
    assert.deepEqual([...n.data], [100]);
  } finally {
    await port.stop();
    await bracelet.stop();
    dir.cleanup();
  }
});

test('retries with capped exponential backoff until the bracelet appears, then starts again from the shortest delay', async () => {
  const dir = tempDir('vigie-ble-');
  const socketPath = dataPaths(dir.path).braceletRadioSocket;
  const delays: number[] = [];
  let retry: (() => void) | undefined;
  let onScheduled: (() => void) | undefined;
  const schedule: Schedule = (fn, ms) => {
    delays.push(ms);
    retry = fn;
    onScheduled?.();
    return () => (retry = undefined);
  };
  const scheduled = () => new Promise<void>((resolve) => (onScheduled = resolve));
  const fire = async () => {
    const next = scheduled();
    const fn = retry!;
    retry = undefined;
    fn();
    await next;
  };
  const port = new SimulatedBle({ socketPath, log: silentLogger(), schedule, backoff: { initialMs: 100, maxMs: 800 } });
  const bracelet = new BraceletSimulator({ deviceId: 'BR-TEST-0001', radioSocketPath: socketPath, schedule: () => () => {} });
  try {
    const first = scheduled();
    await port.start(); // no simulator yet: the connection fails at once
    await first;
    for (let i = 0; i < 4; i++) await fire();
    assert.deepEqual(delays, [100, 200, 400, 800, 800]);

    await bracelet.start();
    const connected = nextEvent(port, 'connected');
    retry!();
    await connected;

    const afterLoss = scheduled();
    await bracelet.stop();
    await afterLoss;
    assert.equal(delays.at(-1), 100, 'a link that came up resets the backoff');
  } finally {
    await port.stop();
    await bracelet.stop();
    dir.cleanup();
  }
});

test('skips malformed radio lines with a logged reason and keeps the link', async () => {
  const dir = tempDir('vigie-ble-');
  const socketPath = join(dir.path, 'radio.sock');
  const logs: { reason?: string; msg: string }[] = [];
  const log = createLogger('test', { level: 'warn' }, new Writable({ write: (chunk: Buffer, _enc, done) => (logs.push(JSON.parse(chunk.toString())), done()) }));
  const lines = [
    '{"type":"notify","service":"180f","characteristic":"2a19","data":"VQ=="}', // before hello
    '{"type":"hello","deviceId":"BR-RAW-1","name":"Raw","services":["180f"]}',
    'not json at all',
    '{"type":"notify","service":"180f","characteristic":"2a19","data":"@@@"}', // bad base64
    '{"type":"notify","service":"180f","characteristic":"2a19"}', // missing field
    '{"type":"notify","service":"12345","characteristic":"2a19","data":"VQ=="}', // not a UUID
    '{"type":"hello","deviceId":"BR-RAW-2","name":"Raw","services":[]}',
    'x'.repeat(5_000),
    '',
    '{"type":"notify","service":"0x180F","characteristic":"00002A19-0000-1000-8000-00805F9B34FB","data":"VQ=="}',
  ];
  const server: Server = createServer((socket: Socket) => socket.end(lines.join('\n') + '\n'));
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  const port = new SimulatedBle({ socketPath, log, backoff: { initialMs: 60_000 } });
  try {
    const received: BleNotification[] = [];
    port.on('notification', (n) => received.push(n));
    const valid = nextEvent(port, 'notification');
    await port.start();
    const [n] = await valid;
    assert.deepEqual({ ...n, receivedAt: 0 }, { deviceId: 'BR-RAW-1', service: '180f', characteristic: '2a19', data: Buffer.from([0x55]), receivedAt: 0 });
    assert.equal(received.length, 1);
    assert.equal(port.malformedLines, 7);
    assert.deepEqual(
      logs.map((l) => l.reason),
      ['notify_before_hello', 'invalid_json', 'schema', 'schema', 'invalid_uuid', 'second_hello', 'line_too_long'],
    );
  } finally {
    await port.stop();
    server.close();
    dir.cleanup();
  }
});
