import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VigieError } from '@vigie/common';
import { MESSAGE_STATUS, parseCmgl, parseCmgr, parseCmgs, parseCmgw, parseCmss, parseCmti } from './modem-answers.ts';

const unexpected = (command: string) => (err: unknown) => {
  assert.ok(err instanceof VigieError, String(err));
  assert.equal(err.code, 'BOX_MODEM_UNEXPECTED_ANSWER');
  assert.equal(err.details.command, command);
  return true;
};

test('reads the +CMGR status in the text forms of TS 27.005 §3.1 as their PDU-mode numbers', () => {
  const cases = [
    ['"REC UNREAD"', MESSAGE_STATUS.receivedUnread],
    ['"REC READ"', MESSAGE_STATUS.receivedRead],
    ['"STO UNSENT"', MESSAGE_STATUS.storedUnsent],
    ['"STO SENT"', MESSAGE_STATUS.storedSent],
    ['REC UNREAD', MESSAGE_STATUS.receivedUnread],
    ['1', MESSAGE_STATUS.receivedRead],
  ] as const;
  for (const [stat, status] of cases) {
    assert.deepEqual(parseCmgr([`+CMGR: ${stat},,24`, '0011AA'], 4), { index: 4, status, pdu: '0011AA' }, stat);
  }
});

test('refuses a +CMGR status that is neither a TS 27.005 number nor its text form as an unexpected answer', () => {
  for (const stat of ['"ALL"', '', '7', '1e0', '-1', '"REC UNKNOWN"', 'NaN']) {
    assert.throws(() => parseCmgr([`+CMGR: ${stat},,24`, '0011AA'], 4), unexpected('AT+CMGR'), stat);
  }
});

test('gives no message for a +CMGR header without its PDU line', () => {
  assert.equal(parseCmgr(['+CMGR: 0,,0'], 4), undefined);
  assert.equal(parseCmgr([], 4), undefined);
});

test('lists +CMGL entries with a text status, and skips those whose index or status is not valid', () => {
  const lines = ['+CMGL: 1,"REC READ",,5', '0011AA', '+CMGL: 1e3,0,,5', '0022BB', '+CMGL: 2,"BOGUS",,5', '0033CC', '+CMGL: 3,0,,5', '0044DD'];
  assert.deepEqual(parseCmgl(lines), [
    { index: 1, status: MESSAGE_STATUS.receivedRead, pdu: '0011AA' },
    { index: 3, status: MESSAGE_STATUS.receivedUnread, pdu: '0044DD' },
  ]);
});

test('reads a +CMGS or +CMSS message reference only as a decimal integer from 0 to 255', () => {
  assert.equal(parseCmgs(['+CMGS: 0']), 0);
  assert.equal(parseCmgs(['+CMGS: 255']), 255);
  assert.equal(parseCmss(['+CMSS: 17, "24/01/01,00:00:00+00"']), 17);
  for (const mr of ['', ' ', '1e3', '-5', '256', '3.5', '0x1F', 'NaN', '99999999999999999999999']) {
    assert.throws(() => parseCmgs([`+CMGS: ${mr}`]), unexpected('AT+CMGS'), `+CMGS: ${mr}`);
    assert.throws(() => parseCmss([`+CMSS: ${mr}`]), unexpected('AT+CMSS'), `+CMSS: ${mr}`);
  }
  assert.throws(() => parseCmgs([]), unexpected('AT+CMGS'));
});

test('reads a +CMGW storage index only as a decimal integer from 0 to 65535', () => {
  assert.equal(parseCmgw(['+CMGW: 65535']), 65535);
  for (const index of ['', '1e3', '-5', '65536', '99999999999999999999999']) {
    assert.throws(() => parseCmgw([`+CMGW: ${index}`]), unexpected('AT+CMGW'), `+CMGW: ${index}`);
  }
});

test('takes a +CMTI storage index only as a decimal integer from 0 to 65535', () => {
  assert.equal(parseCmti('+CMTI: "SM",3'), 3);
  assert.equal(parseCmti('+CMTI: "ME", 65535'), 65535);
  for (const line of ['+CMTI: "SM",100000000000000000000000', '+CMTI: "SM",65536', '+CMTI: "SM",-1', '+CMTI: "SM",1e3', '+CMTI: "SM",', '+CREG: 1']) {
    assert.equal(parseCmti(line), undefined, line);
  }
});
