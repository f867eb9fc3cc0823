import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFirmwareAnswer, encodeFirmwareChunk, encodeFirmwareCommand, firmwareCrc, FirmwareStatus, type FirmwareAnswer } from '@vigie/protocol';
import { buildFirmwareImage } from './firmware-image.ts';
import { FIRMWARE_SLOT_BYTES, FirmwareTarget } from './firmware-target.ts';

function target() {
  const t = new FirmwareTarget({ version: '1.0.0' });
  const answers: FirmwareAnswer[] = [];
  const reboots: number[] = [];
  t.on('answer', (a) => answers.push(decodeFirmwareAnswer(a)));
  t.on('reboot', ({ downMs }) => reboots.push(downMs));
  return { t, answers, reboots, last: () => answers.at(-1)! };
}

const image = buildFirmwareImage('1.1.0', Buffer.alloc(600, 3));
const start = encodeFirmwareCommand({ op: 'start', size: image.length, crc: firmwareCrc(image), version: '1.1.0' });

test('chunks out of order or with a bad CRC are refused and the expected offset given back', () => {
  const { t, last } = target();
  t.onControl(start);
  t.onData(encodeFirmwareChunk(0, image.subarray(0, 200)));
  assert.deepEqual([last().status, last().offset], [FirmwareStatus.ok, 200]);
  t.onData(encodeFirmwareChunk(400, image.subarray(400, 600)));
  assert.deepEqual([last().status, last().offset], [FirmwareStatus.wrongOffset, 200]);
  const damaged = encodeFirmwareChunk(200, image.subarray(200, 400));
  damaged[20] = damaged[20]! ^ 0xff;
  t.onData(damaged);
  assert.deepEqual([last().status, last().offset], [FirmwareStatus.crcMismatch, 200]);
});

test('the same image announced again resumes; another one starts over', () => {
  const { t, last } = target();
  t.onControl(start);
  t.onData(encodeFirmwareChunk(0, image.subarray(0, 200)));
  t.onControl(start);
  assert.equal(last().offset, 200);
  t.onControl(encodeFirmwareCommand({ op: 'start', size: image.length, crc: firmwareCrc(image), version: '1.1.1' }));
  assert.equal(last().offset, 0);
});

test('activation checks the whole image, reboots, and a panicking image leaves the previous one running', () => {
  const { t, last, reboots } = target();
  t.onControl(encodeFirmwareCommand({ op: 'activate' }));
  assert.equal(last().status, FirmwareStatus.noTransfer);
  const bad = buildFirmwareImage('2.0.0', Buffer.alloc(100), 'panics');
  t.onControl(encodeFirmwareCommand({ op: 'start', size: bad.length, crc: firmwareCrc(bad), version: '2.0.0' }));
  t.onData(encodeFirmwareChunk(0, bad.subarray(0, 112)));
  t.onControl(encodeFirmwareCommand({ op: 'activate' }));
  assert.equal(last().status, FirmwareStatus.ok);
  assert.equal(reboots.length, 1);
  assert.deepEqual(t.versions, { running: '1.0.0', previous: '' });
});

test('an announced CRC that the received image does not match is refused at activation', () => {
  const { t, last, reboots } = target();
  t.onControl(encodeFirmwareCommand({ op: 'start', size: image.length, crc: firmwareCrc(image) ^ 1, version: '1.1.0' }));
  for (let o = 0; o < image.length; o += 200) t.onData(encodeFirmwareChunk(o, image.subarray(o, o + 200)));
  t.onControl(encodeFirmwareCommand({ op: 'activate' }));
  assert.equal(last().status, FirmwareStatus.imageInvalid);
  assert.deepEqual(reboots, []);
});

test('an image larger than the second slot is refused at start', () => {
  const { t, last } = target();
  t.onControl(encodeFirmwareCommand({ op: 'start', size: FIRMWARE_SLOT_BYTES + 1, crc: 0, version: '9' }));
  assert.equal(last().status, FirmwareStatus.tooLarge);
});
