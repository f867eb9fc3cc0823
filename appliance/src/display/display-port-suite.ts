/**
 * The shared test suite of the Display port (style habit 2, after aedes-persistence's abstract.js):
 * every adapter runs it, the e-paper driver against the strongest stand-in available here (the
 * SSD1680 model of `fake-ssd1680.ts`, read back from its modelled glass), the PNG adapter against
 * its file, decoded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VigieError } from '@vigie/common';
import { countDifferentPixels, createFrame, setInk } from './frame.ts';
import { FRAME_HEIGHT, FRAME_WIDTH, type Display, type Frame } from './port.ts';
import { renderScreen } from '../screen/screens.ts';

/** A started display and a way to see what it shows. */
export interface DisplayFixture {
  readonly display: Display;
  /** What is on the glass (or in the file) now; null when nothing was shown yet. */
  displayed(): Promise<Frame | null>;
  cleanup(): Promise<void>;
}

const NOW = new Date('2026-01-06T13:05:00Z');

/** A frame with ink in its four corners and a diagonal: any rotation or mirror error shows. */
export function cornerFrame(): Frame {
  const frame = createFrame();
  for (const [x, y] of [[0, 0], [FRAME_WIDTH - 1, 0], [0, FRAME_HEIGHT - 1], [FRAME_WIDTH - 1, FRAME_HEIGHT - 1]] as const) setInk(frame, x, y, true);
  for (let i = 0; i < FRAME_HEIGHT; i++) setInk(frame, i * 2, i, true);
  return frame;
}

function isCode(code: string) {
  return (err: unknown) => {
    assert.ok(err instanceof VigieError, `expected ${code}, got ${String(err)}`);
    assert.equal(err.code, code);
    return true;
  };
}

async function assertShows(fixture: DisplayFixture, expected: Frame, what: string): Promise<void> {
  const shown = await fixture.displayed();
  assert.ok(shown !== null, `${what}: nothing displayed`);
  assert.equal(countDifferentPixels(shown, expected), 0, `${what}: pixels differ from the frame given`);
}

/** Register the shared Display tests for one adapter. `setup` returns a started fixture. */
export function displayPortSuite(adapter: string, setup: () => Promise<DisplayFixture>): void {
  test(`${adapter}: shows a frame exactly, pixel for pixel, corners included`, async () => {
    const fixture = await setup();
    try {
      const frame = cornerFrame();
      await fixture.display.show(frame);
      await assertShows(fixture, frame, 'corner frame');
      const screen = renderScreen({ kind: 'alert', alertKind: 'fall', cancelSecondsLeft: 17 }, NOW);
      await fixture.display.show(screen);
      await assertShows(fixture, screen, 'alert screen');
    } finally {
      await fixture.cleanup();
    }
  });

  test(`${adapter}: shows screens in turn, each replacing the previous one entirely`, async () => {
    const fixture = await setup();
    try {
      const ok = renderScreen({ kind: 'ok', braceletBattery: 80, connection: 'online' }, NOW);
      const tick = (s: number) => renderScreen({ kind: 'alert', alertKind: 'fall', cancelSecondsLeft: s }, NOW);
      for (const [what, frame] of [['ok', ok], ['17 s', tick(17)], ['16 s', tick(16)], ['15 s', tick(15)], ['ok again', ok]] as const) {
        await fixture.display.show(frame);
        await assertShows(fixture, frame, what);
      }
    } finally {
      await fixture.cleanup();
    }
  });

  test(`${adapter}: refuses a frame of the wrong size with BOX_DISPLAY_FRAME_INVALID and keeps its picture`, async () => {
    const fixture = await setup();
    try {
      const frame = cornerFrame();
      await fixture.display.show(frame);
      await assert.rejects(fixture.display.show({ ...frame, bits: new Uint8Array(4000) }), isCode('BOX_DISPLAY_FRAME_INVALID'));
      await assert.rejects(fixture.display.show({ ...frame, width: 122 as never }), isCode('BOX_DISPLAY_FRAME_INVALID'));
      await assertShows(fixture, frame, 'after refused frames');
    } finally {
      await fixture.cleanup();
    }
  });

  test(`${adapter}: ends a burst of frames on the last one, every call resolved`, async () => {
    const fixture = await setup();
    try {
      const frames = [20, 19, 18, 17, 16].map((s) => renderScreen({ kind: 'alert', alertKind: 'fall', cancelSecondsLeft: s }, NOW));
      await Promise.all(frames.map((f) => fixture.display.show(f)));
      await assertShows(fixture, frames.at(-1)!, 'last of the burst');
    } finally {
      await fixture.cleanup();
    }
  });

  test(`${adapter}: refuses frames after stop with BOX_DISPLAY_NOT_STARTED, and starts again`, async () => {
    const fixture = await setup();
    try {
      await fixture.display.show(cornerFrame());
      await fixture.display.stop();
      await fixture.display.stop(); // idempotent
      await assert.rejects(fixture.display.show(cornerFrame()), isCode('BOX_DISPLAY_NOT_STARTED'));
      await fixture.display.start();
      await fixture.display.start(); // idempotent
      const screen = renderScreen({ kind: 'problem', problems: ['not_worn'] }, NOW);
      await fixture.display.show(screen);
      await assertShows(fixture, screen, 'after a restart');
    } finally {
      await fixture.cleanup();
    }
  });
}
