import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection, createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dataPaths } from '@vigie/common';
import { tempDir } from '@vigie/common/testing';
import { decodeNotification, GattCharacteristic, GattService, type DecodedNotification } from '@vigie/protocol';
import { BraceletSimulator, type Schedule } from './simulator.ts';
import { sendSimulatorCommand } from './control-client.ts';
import { braceletErrors } from './errors.ts';
import { replayFall } from './algorithms/replay.ts';
import { TestRadioBox } from './test-radio-box.ts';

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

/** A simulator on temp sockets with a hand-driven clock and timer. */
async function startSimulator(options: { firstEventSeq?: number } = {}) {
  const dir = tempDir('vigie-bracelet-');
  const paths = dataPaths(dir.path);
  let now = T0;
  let pending: (() => void) | undefined;
  const schedule: Schedule = (fn) => {
    pending = fn;
    return () => (pending = undefined);
  };
  const simulator = new BraceletSimulator({
    deviceId: 'BR-TEST-0001',
    radioSocketPath: paths.braceletRadioSocket,
    controlSocketPath: paths.braceletControlSocket,
    clock: () => now,
    schedule,
    firstEventSeq: options.firstEventSeq ?? 41,
  });
  await simulator.start();
  return {
    simulator,
    paths,
    /** Move the clock on and run the simulator's timer. */
    advance(ms: number) {
      now += ms;
      const fn = pending;
      pending = undefined;
      fn?.();
    },
    async cleanup() {
      await simulator.stop();
      dir.cleanup();
    },
  };
}

const decode = (frame: Record<string, unknown>): DecodedNotification =>
  decodeNotification(String(frame.service), String(frame.characteristic), Buffer.from(String(frame.data), 'base64'));
const isKind = (kind: DecodedNotification['kind']) => (frame: Record<string, unknown>) => frame.type === 'notify' && decode(frame).kind === kind;

test('streams hello, then battery and worn, then decodable reports to a connected box', async () => {
  const sim = await startSimulator();
  const box = await TestRadioBox.connect(sim.paths.braceletRadioSocket);
  try {
    await box.waitFor((f) => f.type === 'notify' && f.characteristic === GattCharacteristic.vigieWorn);
    assert.deepEqual(box.frames[0], {
      type: 'hello',
      deviceId: 'BR-TEST-0001',
      name: 'Vigie Bracelet',
      services: ['180d', '1822', '180f', GattService.vigie],
    });
    assert.deepEqual(decode(box.frames[1]!), { kind: 'battery', percent: 100 });
    assert.deepEqual(decode(box.frames[2]!), { kind: 'worn', worn: true });

    sim.advance(120_000); // two minutes: one SpO2 minute mean due now, and the first HR mean
    const hr = decode(await box.waitFor(isKind('heart_rate')));
    assert.equal(hr.kind, 'heart_rate');
    if (hr.kind === 'heart_rate') assert.ok(hr.bpm >= 40 && hr.bpm <= 160 && hr.contact === 'detected');
    const spo2 = decode(await box.waitFor(isKind('spo2')));
    if (spo2.kind === 'spo2') assert.ok(spo2.spo2 !== null && spo2.spo2 >= 95 && spo2.spo2 <= 99);

    sim.advance(30 * 60_000);
    const steps = decode(await box.waitFor(isKind('steps')));
    assert.equal(steps.kind === 'steps' && steps.periodS, 1_800);
  } finally {
    box.close();
    await sim.cleanup();
  }
});

test('sends a fall asked on the control socket to the box, with a rising event number', async () => {
  const sim = await startSimulator({ firstEventSeq: 65_535 });
  const box = await TestRadioBox.connect(sim.paths.braceletRadioSocket);
  try {
    await box.waitFor((f) => f.type === 'hello');
    const answer = await sendSimulatorCommand(sim.paths.braceletControlSocket, { cmd: 'fall' });
    assert.equal(answer.ok, true);
    assert.ok(answer.ok && answer.event === 'fall' && answer.seq === 65_535 && answer.boxes === 1);
    assert.deepEqual(decode(await box.waitFor(isKind('emergency'))), { kind: 'emergency', event: 'fall', seq: 65_535, confidence: replayFall()!.confidence });

    const help = await sendSimulatorCommand(sim.paths.braceletControlSocket, { cmd: 'help' });
    assert.ok(help.ok && help.seq === 0, 'the uint16 sequence wraps');
    await box.waitFor((f) => isKind('emergency')(f) && decode(f).kind === 'emergency' && (decode(f) as { seq: number }).seq === 0);
    assert.equal(sim.simulator.injectCardiacArrest(), 1);
  } finally {
    box.close();
    await sim.cleanup();
  }
});

test('answers bad control input with an error and keeps serving', async () => {
  const sim = await startSimulator();
  const socket = sim.paths.braceletControlSocket;
  try {
    for (const bad of [{ cmd: 'dance' }, { cmd: 'worn' }, { cmd: 'fall', confidence: 300 }, { cmd: 'help', extra: 1 }, {}]) {
      const answer = await sendSimulatorCommand(socket, bad);
      assert.equal(answer.ok, false, JSON.stringify(bad));
      assert.ok(!answer.ok && answer.code === 'BRACELET_CONTROL_BAD_REQUEST' && answer.error.length > 0);
    }
    const raw = await rawExchange(socket, 'not json\n' + 'x'.repeat(10_000) + '\n');
    assert.match(raw, /not valid JSON/);
    assert.match(raw, /longer than/);
    const status = await sendSimulatorCommand(socket, { cmd: 'status' });
    assert.ok(status.ok && status.deviceId === 'BR-TEST-0001' && status.worn);
  } finally {
    await sim.cleanup();
  }
});

test('measures nothing while not worn, but still reports battery and emergencies', async () => {
  const sim = await startSimulator();
  const box = await TestRadioBox.connect(sim.paths.braceletRadioSocket);
  try {
    await box.waitFor((f) => f.type === 'hello');
    await sendSimulatorCommand(sim.paths.braceletControlSocket, { cmd: 'worn', worn: false });
    await box.waitFor((f) => isKind('worn')(f) && decode(f).kind === 'worn' && !(decode(f) as { worn: boolean }).worn);
    const before = box.frames.length;
    sim.advance(3_600_000);
    sim.simulator.pressHelp();
    await box.waitFor(isKind('emergency'));
    const kinds = box.frames.slice(before).map((f) => decode(f).kind);
    assert.deepEqual(kinds, ['battery', 'emergency']);
  } finally {
    box.close();
    await sim.cleanup();
  }
});

test('replaces a stale socket file but refuses to take over a live simulator', async () => {
  const dir = tempDir('vigie-bracelet-');
  const paths = dataPaths(dir.path);
  const make = () => new BraceletSimulator({ deviceId: 'BR-TEST-0002', radioSocketPath: paths.braceletRadioSocket, schedule: () => () => {} });
  const first = make();
  try {
    await first.start();
    await assert.rejects(make().start(), (err) => braceletErrors.is(err, 'BRACELET_SIM_ALREADY_RUNNING'));
    await first.stop();
    writeFileSync(paths.braceletRadioSocket, 'left by a crash');
    await first.start();
    const box = await TestRadioBox.connect(paths.braceletRadioSocket);
    await box.waitFor((f) => f.type === 'hello');
    box.close();
  } finally {
    await first.stop();
    dir.cleanup();
  }
});

test('rejects with a catalogued error when no simulator answers, or answers too late', async () => {
  const dir = tempDir('vigie-bracelet-');
  try {
    await assert.rejects(sendSimulatorCommand(join(dir.path, 'none.sock'), { cmd: 'status' }), (err) => braceletErrors.is(err, 'BRACELET_CONTROL_UNREACHABLE'));
    const silent = createServer(() => {});
    const path = join(dir.path, 'silent.sock');
    await new Promise<void>((resolve) => silent.listen(path, resolve));
    await assert.rejects(sendSimulatorCommand(path, { cmd: 'status' }, 50), (err) => braceletErrors.is(err, 'BRACELET_CONTROL_TIMEOUT'));
    silent.close();
  } finally {
    dir.cleanup();
  }
});

/** Write raw text to the control socket and collect what comes back until it closes or goes quiet. */
function rawExchange(path: string, text: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection(path, () => socket.write(text));
    let received = '';
    const done = () => {
      socket.destroy();
      resolve(received);
    };
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.split('\n').length > 2) done();
    });
    socket.on('close', done);
  });
}

test('hypoxemia, charging and removal come from the algorithms run on per-second samples', async () => {
  const sim = await startSimulator();
  const box = await TestRadioBox.connect(sim.paths.braceletRadioSocket);
  try {
    await box.waitFor((f) => f.type === 'hello');
    const answer = await sendSimulatorCommand(sim.paths.braceletControlSocket, { cmd: 'hypoxemia', spo2: 84 });
    assert.equal(answer.ok, true);
    const spo2 = decode(await box.waitFor(isKind('spo2'))) as { spo2: number };
    assert.ok(spo2.spo2 < 90 && spo2.spo2 > 84, `5-minute mean of the desaturation: ${spo2.spo2}`);
    const charging = await sendSimulatorCommand(sim.paths.braceletControlSocket, { cmd: 'charging', charging: true });
    assert.ok(charging.ok && charging.charging && !charging.worn);
    await box.waitFor((f) => isKind('worn')(f) && (decode(f) as { worn: boolean }).worn === false);
    const back = await sendSimulatorCommand(sim.paths.braceletControlSocket, { cmd: 'charging', charging: false });
    assert.ok(back.ok && !back.charging && back.worn);
  } finally {
    box.close();
    await sim.cleanup();
  }
});
