import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger, VigieError } from '@vigie/common';
import { displayPortSuite } from './display-port-suite.ts';
import { Epaper2in13Display, type Epaper2in13Options } from './epaper-2in13-display.ts';
import { commandLog, FakeSsd1680 } from './fake-ssd1680.ts';
import { countDifferentPixels, createFrame, setInk } from './frame.ts';
import { renderScreen } from '../screen/screens.ts';

function driver(panel: FakeSsd1680, options: Partial<Epaper2in13Options> = {}) {
  return new Epaper2in13Display({ connect: panel.connect, log: silentLogger(), clock: panel.clock, sleep: panel.sleep, ...options });
}

const isCode = (code: string, details: Record<string, unknown> = {}) => (err: unknown) => {
  assert.ok(err instanceof VigieError, `expected ${code}, got ${String(err)}`);
  assert.equal(err.code, code);
  for (const [key, value] of Object.entries(details)) assert.equal(err.details[key], value, `details.${key}`);
  return true;
};

// The sequences below are written out by hand from the SSD1680 datasheet (Rev 0.14, §7 command
// table, §9 operation flow) and Waveshare's epd2in13_V4.py; they are not produced by the driver.

/** Hardware reset and initialisation, as Waveshare's reset() + init(). */
const RESET_AND_INIT = [
  'RST 1', 'sleep 20', 'RST 0', 'sleep 2', 'RST 1', 'sleep 20', // RST pulse: 20 ms high, 2 ms low, 20 ms high
  'BUSY', //                 wait for the controller to boot
  '12', //                   SW reset
  'BUSY',
  '01 f9 00 00', //          driver output control: MUX = 0x0F9 + 1 = 250 gates; GD = SM = TB = 0
  '11 03', //                data entry mode: X+, Y+, address counter moves along X first
  '44 00 0f', //             RAM X window: bytes 0..15 (sources 0..127, 122 shown)
  '45 00 00 f9 00', //       RAM Y window: gates 0..249 (9 bits, low byte first)
  '4e 00', '4f 00 00', //    RAM address counters at X 0, Y 0
  '3c 05', //                border waveform: follow LUT 1 (white)
  '21 00 80', //             display update control 1: normal RAM; source output mode
  '18 80', //                temperature sensor: built-in
  'BUSY',
];
/** A full refresh: the picture into both RAMs, display mode 1, then wait. */
const FULL_REFRESH = [
  '4e 00', '4f 00 00', '24 <4000 bytes>', // new picture into the black/white RAM
  '4e 00', '4f 00 00', '26 <4000 bytes>', // the same into the "previous" RAM, base of the next partial refresh
  '22 f7', //                display update control 2: clock, analog, temperature, LUT, display mode 1, off
  '20', //                   master activation
  'BUSY',
];
/** A partial refresh: previous picture, new picture, display mode 2. */
const PARTIAL_REFRESH = [
  '3c 80', //                border held at VCOM: it does not flash
  '4e 00', '4f 00 00', '26 <4000 bytes>', // the picture on the glass now
  '4e 00', '4f 00 00', '24 <4000 bytes>', // the new one
  '22 ff', //                as 0xF7 but display mode 2: only the pixels that differ change
  '20',
  'BUSY',
];
const DEEP_SLEEP = ['10 01']; // deep sleep mode 1; BUSY stays high until the next RST pulse

/** Ink at the top-left (0, 0), the bottom-right (249, 121) and (10, 8) of the frame. */
function threePixelFrame() {
  const frame = createFrame();
  setInk(frame, 0, 0, true);
  setInk(frame, 249, 121, true);
  setInk(frame, 10, 8, true);
  return frame;
}

/**
 * Its RAM image, derived by hand: RAM is 250 gate rows of 16 bytes, MSB first, 0 = black; frame
 * pixel (x, y) is gate 249 − x, source y.
 */
function threePixelRam() {
  const ram = new Uint8Array(4000).fill(0xff);
  ram[249 * 16 + 0] = 0b0111_1111; // (0, 0): gate 249, source 0 = byte 0, bit 7
  ram[0 * 16 + 15] = 0b1011_1111; // (249, 121): gate 0, source 121 = byte 15, bit 6
  ram[239 * 16 + 1] = 0b0111_1111; // (10, 8): gate 239, source 8 = byte 1, bit 7
  return ram;
}

test('initialises, draws a first frame with a full refresh and sleeps, in the datasheet order', async () => {
  const panel = new FakeSsd1680();
  const display = driver(panel);
  await display.start();
  await display.show(threePixelFrame());
  await display.stop();
  assert.deepEqual(commandLog(panel.events), [...RESET_AND_INIT, ...FULL_REFRESH, ...DEEP_SLEEP]);
  assert.deepEqual(panel.ramBw, threePixelRam());
  assert.deepEqual(panel.ramPrevious, threePixelRam());
  assert.deepEqual(panel.refreshes, ['full']);
  assert.equal(panel.lostCommands, 0);
  assert.deepEqual([panel.opened, panel.closed], [1, 1]);
});

test('sets DC low for each command byte and high for its parameters', async () => {
  const panel = new FakeSsd1680();
  const display = driver(panel);
  await display.start();
  await display.stop();
  const transfers = panel.events.filter((e) => e.t === 'spi');
  assert.ok(transfers.length > 0);
  for (const t of transfers.filter((t) => t.dc === 0)) assert.equal(t.bytes.length, 1, 'one command byte per DC-low transfer');
  assert.deepEqual([...transfers.find((t) => t.dc === 1)!.bytes], [0xf9, 0x00, 0x00], 'first parameters: driver output control');
});

test('polls BUSY every 10 ms and sends nothing while it is high', async () => {
  const panel = new FakeSsd1680();
  panel.busyReads = 5;
  const display = driver(panel);
  await display.start();
  await display.show(threePixelFrame());
  const afterReset = panel.events.slice(panel.events.findIndex((e) => e.t === 'busy')).slice(0, 11);
  assert.deepEqual(
    afterReset.map((e) => (e.t === 'busy' ? `busy ${e.value}` : e.t === 'sleep' ? `sleep ${e.ms}` : e.t)),
    ['busy 1', 'sleep 10', 'busy 1', 'sleep 10', 'busy 1', 'sleep 10', 'busy 1', 'sleep 10', 'busy 1', 'sleep 10', 'busy 0'],
  );
  assert.equal(panel.lostCommands, 0);
  await display.stop();
});

test('refreshes a countdown tick partially, writing the picture on the glass as the previous image', async () => {
  const panel = new FakeSsd1680();
  const display = driver(panel);
  const now = new Date('2026-01-06T13:05:00Z');
  const at17 = renderScreen({ kind: 'alert', alertKind: 'fall', cancelSecondsLeft: 17 }, now);
  const at16 = renderScreen({ kind: 'alert', alertKind: 'fall', cancelSecondsLeft: 16 }, now);
  await display.start();
  await display.show(at17);
  const mark = panel.events.length;
  const previous = Uint8Array.from(panel.ramBw);
  await display.show(at16);
  assert.deepEqual(commandLog(panel.events.slice(mark)), [...RESET_AND_INIT, ...PARTIAL_REFRESH, ...DEEP_SLEEP]);
  assert.deepEqual(panel.ramPrevious, previous);
  assert.deepEqual(panel.refreshes, ['full', 'partial']);
  await display.stop();
});

test('gives a full refresh to a new screen and after 20 partial refreshes in a row', async () => {
  const panel = new FakeSsd1680();
  const display = driver(panel);
  const now = new Date('2026-01-06T13:05:00Z');
  await display.start();
  for (let s = 30; s >= 0; s--) await display.show(renderScreen({ kind: 'alert', alertKind: 'fall', cancelSecondsLeft: s }, now));
  await display.show(renderScreen({ kind: 'alert', alertKind: 'fall', cancelSecondsLeft: null }, now));
  await display.show(renderScreen({ kind: 'alert', alertKind: 'fall', cancelSecondsLeft: null }, now)); // unchanged: nothing sent
  await display.stop();
  const expected = ['full', ...Array<string>(20).fill('partial'), 'full', ...Array<string>(9).fill('partial'), 'full'];
  assert.deepEqual(panel.refreshes, expected);
});

test('turns the picture by 180° for a panel mounted upside down', async () => {
  const panel = new FakeSsd1680();
  const display = driver(panel, { mounting: 'upside-down' });
  await display.start();
  await display.show(threePixelFrame());
  await display.stop();
  const ram = new Uint8Array(4000).fill(0xff);
  ram[0 * 16 + 15] = 0b1011_1111; // (0, 0): gate 0, source 121
  ram[249 * 16 + 0] = 0b0111_1111; // (249, 121): gate 249, source 0
  ram[10 * 16 + 14] = 0b1011_1111; // (10, 8): gate 10, source 113 = byte 14, bit 6
  assert.deepEqual(panel.ramBw, ram);
});

test('fails start with BOX_DISPLAY_BUSY_TIMEOUT when BUSY never falls, within the timeout, lines released', async () => {
  const panel = new FakeSsd1680();
  panel.stuck = true;
  const display = driver(panel);
  await assert.rejects(display.start(), isCode('BOX_DISPLAY_BUSY_TIMEOUT', { phase: 'reset', timeoutMs: 2000 }));
  assert.ok(panel.time >= 2000 && panel.time <= 2000 + 42 + 10, `virtual time spent: ${panel.time} ms`);
  assert.deepEqual([panel.opened, panel.closed], [1, 1]);
  await assert.rejects(display.show(createFrame()), isCode('BOX_DISPLAY_NOT_STARTED'));
});

test('fails a refresh that never ends with BOX_DISPLAY_BUSY_TIMEOUT, then recovers from a hardware reset', async () => {
  const panel = new FakeSsd1680();
  const display = driver(panel, { refreshTimeoutMs: 5000 });
  await display.start();
  panel.busyReads = 1_000_000; // the refresh never ends
  const before = panel.time;
  await assert.rejects(display.show(threePixelFrame()), isCode('BOX_DISPLAY_BUSY_TIMEOUT', { phase: 'refresh', timeoutMs: 5000 }));
  assert.ok(panel.time - before <= 5000 + 10, `virtual time spent: ${panel.time - before} ms`);
  panel.busyReads = 2;
  const mark = panel.events.length;
  await display.show(threePixelFrame());
  assert.deepEqual(commandLog(panel.events.slice(mark)), [...RESET_AND_INIT, ...FULL_REFRESH, ...DEEP_SLEEP]);
  assert.equal(panel.lostCommands, 0, 'nothing was sent to the panel while it was busy');
  assert.equal(countDifferentPixels(panel.glassFrame(), threePixelFrame()), 0);
  await display.stop();
});

test('reports a failed SPI transfer as BOX_DISPLAY_WRITE_FAILED with its cause, and redraws fully next time', async () => {
  const panel = new FakeSsd1680();
  const display = driver(panel);
  await display.start();
  await display.show(threePixelFrame());
  panel.failNextTransfer = true;
  await assert.rejects(display.show(createFrame()), (err: unknown) => {
    isCode('BOX_DISPLAY_WRITE_FAILED', { operation: 'SPI transfer' })(err);
    assert.match(String((err as Error).cause), /EIO/);
    return true;
  });
  await display.show(createFrame());
  assert.deepEqual(panel.refreshes, ['full', 'full']);
  await display.stop();
});

test('wraps a connect failure as BOX_DISPLAY_OPEN_FAILED', async () => {
  const display = new Epaper2in13Display({
    connect: () => Promise.reject(new Error('ENOENT: /dev/spidev0.0')),
    log: silentLogger(),
  });
  await assert.rejects(display.start(), isCode('BOX_DISPLAY_OPEN_FAILED'));
});

test('opens and initialises the panel once when start() is called twice at once', async () => {
  const panel = new FakeSsd1680();
  const display = driver(panel);
  await Promise.all([display.start(), display.start()]);
  await display.stop();
  assert.deepEqual([panel.opened, panel.closed], [1, 1]);
  assert.deepEqual(commandLog(panel.events), [...RESET_AND_INIT, ...DEEP_SLEEP]);
});

test('puts an initialised panel to sleep at stop even when no frame was shown', async () => {
  const panel = new FakeSsd1680();
  const display = driver(panel);
  await display.start();
  await display.stop();
  assert.deepEqual(commandLog(panel.events), [...RESET_AND_INIT, ...DEEP_SLEEP]);
});

displayPortSuite('SSD1680 e-paper over a modelled panel', async () => {
  const panel = new FakeSsd1680();
  const display = driver(panel);
  await display.start();
  return {
    display,
    displayed: async () => (panel.refreshes.length === 0 ? null : panel.glassFrame()),
    cleanup: () => display.stop(),
  };
});
