import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter } from './ndjson.ts';

function split(chunks: string[], max = 10) {
  const out: string[] = [];
  const splitter = new LineSplitter(max, (line) => out.push(line), () => out.push('<overflow>'));
  for (const chunk of chunks) splitter.push(chunk);
  return out;
}

test('cuts lines across chunk boundaries and drops carriage returns', () => {
  assert.deepEqual(split(['ab', 'c\nde\r\n', 'f', '\n']), ['abc', 'de', 'f']);
});

test('reports an overlong line once and resumes at the next line', () => {
  assert.deepEqual(split(['0123456789AB', 'CDEF', 'GH\nok\n']), ['<overflow>', 'ok']);
  assert.deepEqual(split(['0123456789ABC\nok\n']), ['<overflow>', 'ok']);
});
