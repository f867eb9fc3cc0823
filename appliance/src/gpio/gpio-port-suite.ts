import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gpioErrors } from './errors.ts';
import type { GpioErrorCode } from './errors.ts';
import type { GpioPort, InputLine, Level } from './port.ts';

/**
 * The test suite every {@link GpioPort} adapter must pass (imported by adapter tests only). Each
 * adapter supplies a fixture: the port under test and the outside world of its lines, through the
 * strongest stand-in it has (in-memory lines and a manual clock for the simulated adapter; a fake
 * sysfs in a private mount namespace for the onoff adapter).
 */
export interface GpioPortFixture {
  readonly port: GpioPort;
  /** Drive `line` to an electrical level, as the wiring (a button) would. */
  drive(line: number, level: Level): void;
  /** The electrical level the outside world sees on `line` (an output pin). */
  levelOf(line: number): Level;
  /** Let `ms` go by (moves a manual clock; sleeps on real hardware). */
  pass(ms: number): Promise<void>;
  /** The port's clock (epoch ms). */
  now(): number;
  /** Close the port and remove everything the fixture made. */
  cleanup(): Promise<void>;
}

/** What an adapter's stand-in can show. */
export interface GpioPortSuiteOptions {
  /**
   * Why change events cannot be observed with this stand-in (e.g. epoll needs a real sysfs), or
   * false when they can. Edge tests are then not registered for this adapter.
   */
  readonly edgesUnobservable: string | false;
  /** How far a change's `at` may be from the time the fixture drove the line (ms). Default 0. */
  readonly timeToleranceMs?: number;
}

// BCM lines free on the header of every Pi model (GPIO17, 22, 27).
const A = 17;
const B = 22;
const C = 27;

const throwsCode = (fn: () => unknown, code: GpioErrorCode) => assert.throws(fn, (err: unknown) => gpioErrors.is(err, code));

/** Every change reported by `line`, as [value, at]. */
function record(line: InputLine): [Level, number][] {
  const changes: [Level, number][] = [];
  line.on('change', (value, at) => changes.push([value, at]));
  return changes;
}

/** Register the shared GpioPort tests for one adapter. `setup` returns a fresh fixture. */
export function gpioPortSuite(adapter: string, setup: () => Promise<GpioPortFixture>, options: GpioPortSuiteOptions): void {
  const tolerance = options.timeToleranceMs ?? 0;
  // Edge tests are not registered at all where edges cannot be observed: a skipped test proves
  // nothing and CI allows none. The simulated adapter runs them; a Pi run covers onoff's epoll path.
  const edgeTest = (options.edgesUnobservable ? () => undefined : test) as (name: string, fn: () => Promise<void>) => void;
  const withFixture = (fn: (f: GpioPortFixture) => Promise<void> | void) => async () => {
    const fixture = await setup();
    try {
      await fn(fixture);
    } finally {
      await fixture.cleanup();
    }
  };
  const assertAt = (at: number, expected: number) => assert.ok(Math.abs(at - expected) <= tolerance, `at ${at} is not within ${tolerance} ms of ${expected}`);

  test(`${adapter}: reads an input's electrical level, inverted when the line is active low`, withFixture((f) => {
    const plain = f.port.input(A, { edge: 'none' });
    const inverted = f.port.input(B, { edge: 'none', activeLow: true });
    f.drive(A, 1);
    f.drive(B, 1);
    assert.deepEqual([plain.read(), inverted.read()], [1, 0]);
    f.drive(A, 0);
    f.drive(B, 0);
    assert.deepEqual([plain.read(), inverted.read()], [0, 1]);
  }));

  test(`${adapter}: drives an output at its initial level, then at each written level`, withFixture((f) => {
    const high = f.port.output(A, 1);
    const low = f.port.output(B, 0);
    assert.deepEqual([f.levelOf(A), high.read(), f.levelOf(B), low.read()], [1, 1, 0, 0]);
    high.write(0);
    low.write(1);
    assert.deepEqual([f.levelOf(A), high.read(), f.levelOf(B), low.read()], [0, 0, 1, 1]);
  }));

  test(`${adapter}: refuses a line claimed twice, whatever the direction, with BOX_GPIO_LINE_BUSY`, withFixture((f) => {
    const first = f.port.input(A, { edge: 'none' });
    throwsCode(() => f.port.input(A, { edge: 'both' }), 'BOX_GPIO_LINE_BUSY');
    throwsCode(() => f.port.output(A, 0), 'BOX_GPIO_LINE_BUSY');
    f.port.output(B, 0);
    throwsCode(() => f.port.input(B, { edge: 'none' }), 'BOX_GPIO_LINE_BUSY');
    f.drive(A, 1);
    assert.equal(first.read(), 1, 'the first claim still works');
  }));

  test(`${adapter}: refuses numbers that are not BCM lines with BOX_GPIO_LINE_INVALID`, withFixture((f) => {
    for (const line of [-1, 1.5, 54, Number.NaN]) {
      throwsCode(() => f.port.input(line, { edge: 'none' }), 'BOX_GPIO_LINE_INVALID');
      throwsCode(() => f.port.output(line, 0), 'BOX_GPIO_LINE_INVALID');
    }
  }));

  test(`${adapter}: refuses every use after close with BOX_GPIO_CLOSED, and closing twice is harmless`, withFixture(async (f) => {
    const input = f.port.input(A, { edge: 'none' });
    const output = f.port.output(B, 0);
    await f.port.close();
    await f.port.close();
    throwsCode(() => input.read(), 'BOX_GPIO_CLOSED');
    throwsCode(() => input.on('change', () => {}), 'BOX_GPIO_CLOSED');
    throwsCode(() => output.write(1), 'BOX_GPIO_CLOSED');
    throwsCode(() => output.read(), 'BOX_GPIO_CLOSED');
    throwsCode(() => f.port.input(C, { edge: 'none' }), 'BOX_GPIO_CLOSED');
    throwsCode(() => f.port.output(C, 0), 'BOX_GPIO_CLOSED');
  }));

  edgeTest(`${adapter}: reports each change of an input with the time it settled`, withFixture(async (f) => {
    const changes = record(f.port.input(A, { edge: 'both' }));
    const t1 = f.now();
    f.drive(A, 1);
    await f.pass(10);
    const t2 = f.now();
    f.drive(A, 0);
    await f.pass(10);
    assert.deepEqual(changes.map(([v]) => v), [1, 0]);
    assertAt(changes[0]![1], t1);
    assertAt(changes[1]![1], t2);
  }));

  edgeTest(`${adapter}: reports only rising, or only falling, changes when asked`, withFixture(async (f) => {
    const rising = record(f.port.input(A, { edge: 'rising' }));
    const falling = record(f.port.input(B, { edge: 'falling' }));
    for (const level of [1, 0, 1, 0] as const) {
      f.drive(A, level);
      f.drive(B, level);
      await f.pass(10);
    }
    assert.deepEqual(rising.map(([v]) => v), [1, 1]);
    assert.deepEqual(falling.map(([v]) => v), [0, 0]);
  }));

  edgeTest(`${adapter}: reports nothing on an input claimed with edge none`, withFixture(async (f) => {
    const changes = record(f.port.input(A, { edge: 'none' }));
    f.drive(A, 1);
    await f.pass(10);
    f.drive(A, 0);
    await f.pass(10);
    assert.deepEqual(changes, []);
  }));

  edgeTest(`${adapter}: reports one change when the line bounces within the debounce period, stamped with its last edge`, withFixture(async (f) => {
    const changes = record(f.port.input(A, { edge: 'both', debounceMs: 30 }));
    for (const level of [1, 0, 1, 0, 1] as const) {
      f.drive(A, level);
      await f.pass(5);
    }
    const settledAt = f.now() - 5;
    await f.pass(20);
    assert.equal(changes.length, 0, 'nothing before the line held still for 30 ms');
    await f.pass(10);
    assert.deepEqual(changes.map(([v]) => v), [1]);
    assertAt(changes[0]![1], settledAt);
    // A glitch that comes back to the reported value within the period reports nothing.
    f.drive(A, 0);
    await f.pass(5);
    f.drive(A, 1);
    await f.pass(40);
    assert.equal(changes.length, 1);
  }));

  edgeTest(`${adapter}: reports changes of an active-low input as logical values`, withFixture(async (f) => {
    const line = f.port.input(A, { edge: 'rising', activeLow: true });
    f.drive(A, 1);
    await f.pass(10);
    const changes = record(line);
    f.drive(A, 0);
    await f.pass(10);
    f.drive(A, 1);
    await f.pass(10);
    assert.deepEqual(changes.map(([v]) => v), [1], 'pulled low: logical 1, a rising edge');
  }));

  edgeTest(`${adapter}: stops telling a listener once removed, and everyone once the port is closed`, withFixture(async (f) => {
    const line = f.port.input(A, { edge: 'both' });
    const kept = record(line);
    const removed: Level[] = [];
    const listener = (value: Level) => removed.push(value);
    line.on('change', listener);
    line.on('change', listener);
    f.drive(A, 1);
    await f.pass(10);
    line.off('change', listener);
    f.drive(A, 0);
    await f.pass(10);
    assert.deepEqual(removed, [1], 'added twice, told once, then not after off()');
    assert.deepEqual(kept.map(([v]) => v), [1, 0]);
    await f.port.close();
    f.drive(A, 1);
    await f.pass(10);
    assert.equal(kept.length, 2);
  }));
}
