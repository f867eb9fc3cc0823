import { crc32 } from 'node:zlib';
import { GattMalformedReason, protocolErrors } from '../errors.ts';
import { vigieUuid } from './uuids.ts';

/**
 * Bracelet firmware update over BLE (issue 15 item 4): the box relays a signed release to the
 * bracelet in chunks. A vendor service with two characteristics, in the spirit of Nordic's DFU
 * and MCUboot's test-then-confirm swap:
 *
 * - **control point** (`firmwareControl`, write + notify): the box writes a command, the bracelet
 *   answers each with a notification;
 * - **data** (`firmwareData`, write): one chunk per write, each carrying its offset and its own CRC.
 *
 * Commands (box → bracelet), little-endian like every GATT field:
 *
 * | opcode | name     | parameters                                                                 |
 * | ------ | -------- | -------------------------------------------------------------------------- |
 * | 0x01   | start    | uint32 image size, uint32 CRC-32 of the whole image, uint8 n, n bytes version (UTF-8) |
 * | 0x02   | activate | —                                                                          |
 * | 0x03   | abort    | —                                                                          |
 * | 0x04   | query    | —                                                                          |
 *
 * A `start` for the image already partly received (same size, CRC and version) **resumes**: the
 * answer's offset is where the box continues after a lost link. Any other `start` begins at 0.
 *
 * Data chunk (box → bracelet): uint32 offset, uint32 CRC-32 of the payload, payload (1..MAX bytes).
 * A chunk whose offset is not the one expected, or whose CRC does not match, is refused and the
 * answer says the expected offset: the box re-sends from there.
 *
 * Answers (bracelet → box, notified on the control point):
 *
 * | offset | type   | field                                                           |
 * | ------ | ------ | --------------------------------------------------------------- |
 * | 0      | uint8  | 0x10 (answer)                                                   |
 * | 1      | uint8  | opcode answered (0x05 for a data chunk)                          |
 * | 2      | uint8  | status (`FirmwareStatus`)                                        |
 * | 3      | uint32 | next expected offset (bytes of the pending image received)       |
 * | 7      | uint8  | n, then n bytes: running version; then uint8 m, m bytes: previous version |
 *
 * Activation: the bracelet checks the whole image's CRC, reboots into it in **test** mode; the new
 * firmware confirms itself once it runs; a bracelet that resets before that boots the previous
 * image again (rollback). The box tells which by the running version in the next `query` answer.
 */

/** Vendor service and characteristics of the firmware update (slots 0x0002, 0x0201, 0x0202). */
export const FirmwareGatt = {
  service: vigieUuid(0x0002),
  control: vigieUuid(0x0201),
  data: vigieUuid(0x0202),
} as const;

export const FirmwareOpcode = { start: 0x01, activate: 0x02, abort: 0x03, query: 0x04, data: 0x05 } as const;
export type FirmwareOpcode = (typeof FirmwareOpcode)[keyof typeof FirmwareOpcode];

export const FirmwareStatus = {
  ok: 0,
  /** The chunk's CRC did not match its payload. */
  crcMismatch: 1,
  /** The chunk's offset is not the next expected one. */
  wrongOffset: 2,
  /** The whole image's CRC does not match the `start` announcement (activate). */
  imageInvalid: 3,
  /** No transfer in progress (data or activate without start). */
  noTransfer: 4,
  /** The image does not fit in the bracelet's second slot. */
  tooLarge: 5,
  /** A command the bracelet does not know, or malformed. */
  badCommand: 6,
} as const;
export type FirmwareStatus = (typeof FirmwareStatus)[keyof typeof FirmwareStatus];

/** Largest payload of one data chunk: a 247-byte ATT MTU minus 3 (ATT header) minus 8 (offset, CRC). */
export const FIRMWARE_CHUNK_MAX = 236;
const ANSWER = 0x10;
const MAX_VERSION_BYTES = 32;

export type FirmwareCommand =
  | { readonly op: 'start'; readonly size: number; readonly crc: number; readonly version: string }
  | { readonly op: 'activate' | 'abort' | 'query' };

export interface FirmwareAnswer {
  readonly opcode: FirmwareOpcode;
  readonly status: FirmwareStatus;
  readonly offset: number;
  readonly running: string;
  readonly previous: string;
}

export interface FirmwareChunk {
  readonly offset: number;
  readonly payload: Uint8Array;
  /** Whether the carried CRC matches the payload. */
  readonly crcOk: boolean;
}

/** CRC-32 (ISO-HDLC, zlib's) of `data`. */
export function firmwareCrc(data: Uint8Array): number {
  return crc32(data) >>> 0;
}

function malformed(explanation: string, reason: GattMalformedReason = GattMalformedReason.truncated) {
  return protocolErrors.create('PROTOCOL_GATT_MALFORMED', { message: `Firmware update value: ${explanation}`, details: { reason } });
}

function versionBytes(version: string): Buffer {
  const bytes = Buffer.from(version, 'utf8');
  if (bytes.length > MAX_VERSION_BYTES) throw protocolErrors.create('PROTOCOL_GATT_VALUE_OUT_OF_RANGE', { message: `Firmware version longer than ${MAX_VERSION_BYTES} bytes` });
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

function readVersion(buf: Buffer, at: number): { version: string; next: number } {
  if (buf.length < at + 1) throw malformed('version length missing');
  const n = buf[at]!;
  if (buf.length < at + 1 + n) throw malformed('version cut short');
  return { version: buf.subarray(at + 1, at + 1 + n).toString('utf8'), next: at + 1 + n };
}

/** The control-point write of a command. */
export function encodeFirmwareCommand(command: FirmwareCommand): Buffer {
  if (command.op !== 'start') return Buffer.from([FirmwareOpcode[command.op]]);
  const head = Buffer.alloc(9);
  head.writeUInt8(FirmwareOpcode.start, 0);
  head.writeUInt32LE(command.size, 1);
  head.writeUInt32LE(command.crc >>> 0, 5);
  return Buffer.concat([head, versionBytes(command.version)]);
}

/** Parse a control-point write (bracelet side); throws `PROTOCOL_GATT_MALFORMED`. */
export function decodeFirmwareCommand(data: Uint8Array): FirmwareCommand {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < 1) throw malformed('empty command');
  switch (buf[0]) {
    case FirmwareOpcode.start: {
      if (buf.length < 10) throw malformed('start shorter than 10 bytes');
      return { op: 'start', size: buf.readUInt32LE(1), crc: buf.readUInt32LE(5), version: readVersion(buf, 9).version };
    }
    case FirmwareOpcode.activate:
      return { op: 'activate' };
    case FirmwareOpcode.abort:
      return { op: 'abort' };
    case FirmwareOpcode.query:
      return { op: 'query' };
    default:
      throw malformed(`unknown opcode ${buf[0]}`, GattMalformedReason.valueOutOfRange);
  }
}

/** One data-characteristic write. */
export function encodeFirmwareChunk(offset: number, payload: Uint8Array): Buffer {
  if (payload.length < 1 || payload.length > FIRMWARE_CHUNK_MAX) throw protocolErrors.create('PROTOCOL_GATT_VALUE_OUT_OF_RANGE', { message: `Firmware chunk of ${payload.length} bytes (1..${FIRMWARE_CHUNK_MAX})` });
  const head = Buffer.alloc(8);
  head.writeUInt32LE(offset, 0);
  head.writeUInt32LE(firmwareCrc(payload), 4);
  return Buffer.concat([head, payload]);
}

/** Parse a data-characteristic write (bracelet side). */
export function decodeFirmwareChunk(data: Uint8Array): FirmwareChunk {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < 9) throw malformed('chunk shorter than 9 bytes');
  const payload = buf.subarray(8);
  return { offset: buf.readUInt32LE(0), payload, crcOk: firmwareCrc(payload) === buf.readUInt32LE(4) };
}

/** The control-point notification of an answer (bracelet side). */
export function encodeFirmwareAnswer(answer: FirmwareAnswer): Buffer {
  const head = Buffer.alloc(7);
  head.writeUInt8(ANSWER, 0);
  head.writeUInt8(answer.opcode, 1);
  head.writeUInt8(answer.status, 2);
  head.writeUInt32LE(answer.offset, 3);
  return Buffer.concat([head, versionBytes(answer.running), versionBytes(answer.previous)]);
}

/** Parse a control-point notification (box side). */
export function decodeFirmwareAnswer(data: Uint8Array): FirmwareAnswer {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (buf.length < 9) throw malformed('answer shorter than 9 bytes');
  if (buf[0] !== ANSWER) throw malformed('not a firmware answer', GattMalformedReason.valueOutOfRange);
  const running = readVersion(buf, 7);
  const previous = readVersion(buf, running.next);
  return { opcode: buf[1] as FirmwareOpcode, status: buf[2] as FirmwareStatus, offset: buf.readUInt32LE(3), running: running.version, previous: previous.version };
}
