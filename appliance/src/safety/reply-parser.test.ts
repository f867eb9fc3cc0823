import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeSender, parseReply } from './reply-parser.ts';

test('reads OK with or without the alert number, in the ways people type it', () => {
  for (const [text, number] of [
    ['OK', null],
    ['ok', null],
    [' Ok 12', 12],
    ['OK12', 12],
    ['ok #7', 7],
    ['OK. 999', 999],
    ['OK n°3', 3],
    ['OK, j’arrive', null],
  ] as const) {
    assert.deepEqual(parseReply(text), { kind: 'ack', number }, text);
  }
});

test('does not take other words for an acknowledgement', () => {
  for (const text of ['okay', 'non', 'Qui est-ce ?', '', 'OK1234', 'pas ok', 'oké']) {
    assert.deepEqual(parseReply(text), { kind: 'other' }, text);
  }
});

test('turns national and 00-prefixed French senders into E.164', () => {
  assert.equal(normalizeSender('+33639980001'), '+33639980001');
  assert.equal(normalizeSender('0639980001'), '+33639980001');
  assert.equal(normalizeSender('0033639980001'), '+33639980001');
  assert.equal(normalizeSender('06 39 98 00 01'), '+33639980001');
  assert.equal(normalizeSender('ORANGE'), 'ORANGE');
});
