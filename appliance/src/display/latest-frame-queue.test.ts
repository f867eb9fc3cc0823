import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createFrame, setInk } from './frame.ts';
import { LatestFrameQueue } from './latest-frame-queue.ts';
import type { Frame } from './port.ts';

function numbered(n: number): Frame {
  const frame = createFrame();
  setInk(frame, n, 0, true);
  return frame;
}
const numberOf = (frame: Frame) => frame.bits.findIndex((b) => b !== 0) * 8 + Math.clz32(frame.bits.find((b) => b !== 0)!) - 24;

test('draws one frame at a time and skips the frames superseded while waiting', async () => {
  const drawn: number[] = [];
  let release: () => void = () => {};
  const queue = new LatestFrameQueue(async (frame) => {
    drawn.push(numberOf(frame));
    await new Promise<void>((resolve) => (release = resolve));
  });
  const settled: number[] = [];
  const calls = [1, 2, 3, 4].map((n) => queue.submit(numbered(n)).then(() => settled.push(n)));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(drawn, [1], 'the first frame is being drawn; the others wait');
  release();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(drawn, [1, 4], 'frames 2 and 3 were superseded by 4');
  release();
  await Promise.all(calls);
  assert.deepEqual(settled.sort(), [1, 2, 3, 4]);
  await queue.idle();
});

test('rejects the callers of a frame that failed, and goes on with the next', async () => {
  const queue = new LatestFrameQueue(async (frame) => {
    if (numberOf(frame) === 1) throw new Error('panel stuck');
  });
  const first = queue.submit(numbered(1));
  const second = queue.submit(numbered(2));
  await assert.rejects(first, /panel stuck/);
  await second;
  await queue.idle();
});
