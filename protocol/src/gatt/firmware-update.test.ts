import { test } from 'node:test';
import assert from 'node:assert/strict';
import { protocolErrors } from '../errors.ts';
import {
  decodeFirmwareAnswer,
  decodeFirmwareChunk,
  decodeFirmwareCommand,
  encodeFirmwareAnswer,
  encodeFirmwareChunk,
  encodeFirmwareCommand,
  FIRMWARE_CHUNK_MAX,
  firmwareCrc,
  FirmwareOpcode,
  FirmwareStatus,
} from './firmware-update.ts';

test('CRC-32 is the ISO-HDLC one (check value of "123456789" is 0xCBF43926)', () => {
  assert.equal(firmwareCrc(Buffer.from('123456789')), 0xcbf43926);
});

test('commands, chunks and answers round-trip', () => {
  const start = { op: 'start', size: 49_162, crc: 0xdeadbeef, version: '1.1.0' } as const;
  assert.deepEqual(decodeFirmwareCommand(encodeFirmwareCommand(start)), start);
  for (const op of ['activate', 'abort', 'query'] as const) assert.deepEqual(decodeFirmwareCommand(encodeFirmwareCommand({ op })), { op });
  const payload = Buffer.alloc(FIRMWARE_CHUNK_MAX, 0xa5);
  const chunk = decodeFirmwareChunk(encodeFirmwareChunk(4_720, payload));
  assert.equal(chunk.offset, 4_720);
  assert.ok(chunk.crcOk);
  assert.deepEqual(Buffer.from(chunk.payload), payload);
  const answer = { opcode: FirmwareOpcode.data, status: FirmwareStatus.wrongOffset, offset: 944, running: '1.0.0', previous: '0.9.2' };
  assert.deepEqual(decodeFirmwareAnswer(encodeFirmwareAnswer(answer)), answer);
});

test('a chunk whose payload was damaged in transit fails its CRC', () => {
  const wire = encodeFirmwareChunk(0, Buffer.from('firmware bytes'));
  wire[10] = wire[10]! ^ 0x01;
  assert.equal(decodeFirmwareChunk(wire).crcOk, false);
});

test('malformed values are refused with a catalogued error', () => {
  const malformed = (err: unknown) => protocolErrors.is(err, 'PROTOCOL_GATT_MALFORMED');
  assert.throws(() => decodeFirmwareCommand(Buffer.from([])), malformed);
  assert.throws(() => decodeFirmwareCommand(Buffer.from([0x01, 1, 2])), malformed);
  assert.throws(() => decodeFirmwareCommand(Buffer.from([0x7f])), malformed);
  assert.throws(() => decodeFirmwareChunk(Buffer.alloc(8)), malformed);
  assert.throws(() => decodeFirmwareAnswer(Buffer.from([0x11, 1, 0, 0, 0, 0, 0, 0, 0])), malformed);
  assert.throws(() => encodeFirmwareChunk(0, Buffer.alloc(FIRMWARE_CHUNK_MAX + 1)), (err) => protocolErrors.is(err, 'PROTOCOL_GATT_VALUE_OUT_OF_RANGE'));
});
