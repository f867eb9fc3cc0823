import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadImage, createCanvas } from '@napi-rs/canvas';
import { silentLogger, VigieError } from '@vigie/common';
import { tempDir } from '@vigie/common/testing';
import { cornerFrame, displayPortSuite } from './display-port-suite.ts';
import { countDifferentPixels } from './frame.ts';
import { decodeFramePng } from './png-1bit.ts';
import { PngDisplay } from './png-display.ts';

displayPortSuite('PNG file', async () => {
  const dir = tempDir('vigie-display-');
  const path = join(dir.path, 'screen', 'frame.png');
  const display = new PngDisplay({ path, log: silentLogger() });
  await display.start();
  return {
    display,
    displayed: async () => (display.framesWritten === 0 ? null : decodeFramePng(await readFile(path))),
    async cleanup() {
      await display.stop();
      dir.cleanup();
    },
  };
});

test('writes a PNG that an ordinary decoder reads as black ink on white, and keeps the last frame in memory', async () => {
  const dir = tempDir('vigie-display-');
  const path = join(dir.path, 'frame.png');
  const display = new PngDisplay({ path, log: silentLogger() });
  try {
    await display.start();
    assert.equal(display.lastFrame, null);
    await display.show(cornerFrame());
    const image = await loadImage(await readFile(path));
    assert.deepEqual([image.width, image.height], [250, 122]);
    const ctx = createCanvas(250, 122).getContext('2d');
    ctx.drawImage(image, 0, 0);
    const pixel = (x: number, y: number) => [...ctx.getImageData(x, y, 1, 1).data.slice(0, 3)];
    assert.deepEqual(pixel(0, 0), [0, 0, 0], 'ink is black');
    assert.deepEqual(pixel(1, 0), [255, 255, 255], 'paper is white');
    assert.equal(countDifferentPixels(display.lastFrame!, cornerFrame()), 0);
    assert.equal(display.framesWritten, 1);
  } finally {
    await display.stop();
    dir.cleanup();
  }
});

test('refuses frames before start with BOX_DISPLAY_NOT_STARTED and writes nothing', async () => {
  const dir = tempDir('vigie-display-');
  const display = new PngDisplay({ path: join(dir.path, 'frame.png'), log: silentLogger() });
  try {
    await assert.rejects(display.show(cornerFrame()), (err: unknown) => err instanceof VigieError && err.code === 'BOX_DISPLAY_NOT_STARTED');
    assert.equal(display.framesWritten, 0);
  } finally {
    dir.cleanup();
  }
});

test('reports a directory it cannot create as BOX_DISPLAY_OPEN_FAILED, a file it cannot write as BOX_DISPLAY_WRITE_FAILED', async () => {
  const dir = tempDir('vigie-display-');
  const screenDir = join(dir.path, 'screen');
  const display = new PngDisplay({ path: join(screenDir, 'frame.png'), log: silentLogger() });
  // A regular file where a directory should be.
  const underAFile = new PngDisplay({ path: join(screenDir, 'frame.png', 'nested.png'), log: silentLogger() });
  const isCode = (code: string) => (err: unknown) => err instanceof VigieError && err.code === code;
  try {
    await display.start();
    await display.show(cornerFrame());
    await assert.rejects(underAFile.start(), isCode('BOX_DISPLAY_OPEN_FAILED'));
    rmSync(screenDir, { recursive: true });
    await assert.rejects(display.show(cornerFrame()), isCode('BOX_DISPLAY_WRITE_FAILED'));
    assert.equal(display.framesWritten, 1);
  } finally {
    await display.stop();
    dir.cleanup();
  }
});
