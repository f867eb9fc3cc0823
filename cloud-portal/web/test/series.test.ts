import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appendPoint, gapThreshold, isolatedIndices, MIN_GAP_MS, summarize, toChartColumns, type Point } from '../src/lib/series.ts';

const MIN = 60_000;

test('breaks the line with a null between points more than 10 minutes apart', () => {
  const points: Point[] = [
    [0, 70],
    [2 * MIN, 72],
    [30 * MIN, 80],
  ];
  const [xs, ys] = toChartColumns(points, MIN_GAP_MS);
  assert.deepEqual(ys, [70, 72, null, 80]);
  assert.equal(xs.length, 4);
  assert.ok(xs[2]! > 2 * MIN && xs[2]! < 30 * MIN);
});

test('joins points exactly 10 minutes apart', () => {
  const [, ys] = toChartColumns([[0, 70], [10 * MIN, 71]], MIN_GAP_MS);
  assert.deepEqual(ys, [70, 71]);
});

test('widens the gap threshold for sparse, downsampled series but never below 10 minutes', () => {
  const dense: Point[] = Array.from({ length: 10 }, (_, i) => [i * 2 * MIN, 70]);
  assert.equal(gapThreshold(dense), MIN_GAP_MS);
  const sparse: Point[] = Array.from({ length: 10 }, (_, i) => [i * 45 * MIN, 70]);
  assert.equal(gapThreshold(sparse), 135 * MIN);
});

test('breaks the line where a bucket of a downsampled series is missing', () => {
  const bucket = 43 * MIN;
  assert.equal(gapThreshold([], bucket), 1.5 * bucket);
  const [, ys] = toChartColumns(
    [
      [0, 70],
      [bucket, 71],
      [3 * bucket, 72],
    ],
    gapThreshold([], bucket),
  );
  assert.deepEqual(ys, [70, 71, null, 72]);
  assert.equal(gapThreshold([], 2 * MIN), MIN_GAP_MS, 'never below 10 minutes');
});

test('appends a live reading at the end and drops points older than the window', () => {
  const points: Point[] = [
    [1_000, 60],
    [2_000, 61],
  ];
  const next = appendPoint(points, [3_000, 62], 1_500);
  assert.deepEqual(next, [
    [2_000, 61],
    [3_000, 62],
  ]);
  assert.equal(points.length, 2, 'the input is not mutated');
});

test('inserts a late reading in time order and replaces a duplicate timestamp', () => {
  const points: Point[] = [
    [1_000, 60],
    [3_000, 62],
  ];
  assert.deepEqual(appendPoint(points, [2_000, 61], 0), [
    [1_000, 60],
    [2_000, 61],
    [3_000, 62],
  ]);
  assert.deepEqual(appendPoint(points, [3_000, 65], 0), [
    [1_000, 60],
    [3_000, 65],
  ]);
});

test('ignores a reading older than the window', () => {
  assert.deepEqual(appendPoint([[5_000, 1]], [1_000, 2], 4_000), [[5_000, 1]]);
});

test('summarizes latest, min and max', () => {
  assert.equal(summarize([]), null);
  assert.deepEqual(summarize([[1, 70], [2, 55], [3, 90], [4, 72]]), { latest: [4, 72], min: 55, max: 90 });
});

test('finds values isolated between gaps', () => {
  assert.deepEqual(isolatedIndices([1, null, 2, null, 3, 4]), [0, 2]);
});
