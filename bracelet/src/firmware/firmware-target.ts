/**
 * The bracelet's side of the firmware update (protocol in `@vigie/protocol`'s `firmware-update.ts`):
 * two image slots like MCUboot's — the running one and the one being received — chunks checked by
 * their CRC and offset, the received bytes kept across a lost link so that the box resumes, then
 * activation: reboot into the new image in test mode; an image that does not confirm itself (it
 * panics at boot, or is no image at all) makes the bootloader boot the previous one again.
 */
import { EventEmitter } from 'node:events';
import {
  decodeFirmwareChunk,
  decodeFirmwareCommand,
  encodeFirmwareAnswer,
  firmwareCrc,
  FirmwareGatt,
  FirmwareOpcode,
  FirmwareStatus,
  type FirmwareAnswer,
} from '@vigie/protocol';
import { readFirmwareImage } from './firmware-image.ts';

/** The second slot's size: a 512 KiB flash bank, as on an nRF52832-class bracelet. */
export const FIRMWARE_SLOT_BYTES = 512 * 1024;

interface Pending {
  readonly size: number;
  readonly crc: number;
  readonly version: string;
  readonly bytes: Buffer;
  received: number;
}

export interface FirmwareTargetEvents {
  /** An answer to notify on the control point. */
  answer: [Buffer];
  /** The bracelet reboots (the radio link drops) and comes back after `downMs`. */
  reboot: [{ downMs: number }];
}

/** One bracelet's firmware slots and transfer state. */
export class FirmwareTarget extends EventEmitter<FirmwareTargetEvents> {
  #running: string;
  #previous = '';
  #pending: Pending | undefined;
  /** How long a reboot keeps the radio down. */
  readonly #rebootMs: number;

  constructor(options: { version: string; rebootMs?: number }) {
    super();
    this.#running = options.version;
    this.#rebootMs = options.rebootMs ?? 200;
  }

  /** The version the bracelet runs now, and the one it ran before the last update. */
  get versions(): { running: string; previous: string } {
    return { running: this.#running, previous: this.#previous };
  }

  /** Bytes of the pending image received so far (0: none pending). */
  get received(): number {
    return this.#pending?.received ?? 0;
  }

  /** A write on the control point. */
  onControl(data: Uint8Array): void {
    let command;
    try {
      command = decodeFirmwareCommand(data);
    } catch {
      this.#answer(FirmwareOpcode.start, FirmwareStatus.badCommand);
      return;
    }
    switch (command.op) {
      case 'start': {
        if (command.size < 1 || command.size > FIRMWARE_SLOT_BYTES) return this.#answer(FirmwareOpcode.start, FirmwareStatus.tooLarge);
        const p = this.#pending;
        // The same image announced again after a lost link: resume where it stopped.
        if (!(p && p.size === command.size && p.crc === command.crc && p.version === command.version)) {
          this.#pending = { size: command.size, crc: command.crc >>> 0, version: command.version, bytes: Buffer.alloc(command.size), received: 0 };
        }
        return this.#answer(FirmwareOpcode.start, FirmwareStatus.ok);
      }
      case 'abort':
        this.#pending = undefined;
        return this.#answer(FirmwareOpcode.abort, FirmwareStatus.ok);
      case 'query':
        return this.#answer(FirmwareOpcode.query, FirmwareStatus.ok);
      case 'activate':
        return this.#activate();
      default:
        command satisfies never;
    }
  }

  /** A write on the data characteristic. */
  onData(data: Uint8Array): void {
    const p = this.#pending;
    if (!p) return this.#answer(FirmwareOpcode.data, FirmwareStatus.noTransfer);
    let chunk;
    try {
      chunk = decodeFirmwareChunk(data);
    } catch {
      return this.#answer(FirmwareOpcode.data, FirmwareStatus.badCommand);
    }
    if (chunk.offset !== p.received || chunk.offset + chunk.payload.length > p.size) return this.#answer(FirmwareOpcode.data, FirmwareStatus.wrongOffset);
    if (!chunk.crcOk) return this.#answer(FirmwareOpcode.data, FirmwareStatus.crcMismatch);
    p.bytes.set(chunk.payload, chunk.offset);
    p.received += chunk.payload.length;
    this.#answer(FirmwareOpcode.data, FirmwareStatus.ok);
  }

  #activate(): void {
    const p = this.#pending;
    if (!p || p.received !== p.size) return this.#answer(FirmwareOpcode.activate, FirmwareStatus.noTransfer);
    if (firmwareCrc(p.bytes) !== p.crc) {
      this.#pending = undefined;
      return this.#answer(FirmwareOpcode.activate, FirmwareStatus.imageInvalid);
    }
    this.#answer(FirmwareOpcode.activate, FirmwareStatus.ok);
    this.#pending = undefined;
    // Reboot into the new slot in test mode: it becomes the running image only if it boots and
    // confirms itself; otherwise the bootloader swaps back to the previous one (rollback).
    const image = readFirmwareImage(p.bytes);
    if (image && image.behaviour === 'boots') {
      this.#previous = this.#running;
      this.#running = image.version;
    }
    this.emit('reboot', { downMs: this.#rebootMs });
  }

  #answer(opcode: FirmwareAnswer['opcode'], status: FirmwareAnswer['status']): void {
    this.emit('answer', encodeFirmwareAnswer({ opcode, status, offset: this.received, running: this.#running, previous: this.#previous }));
  }
}

/** Routes the radio's GATT writes to the target's control point and data characteristic. */
export function firmwareWrites(target: FirmwareTarget): (write: { service: string; characteristic: string; data: Uint8Array }) => void {
  return (write) => {
    if (write.service !== FirmwareGatt.service) return;
    if (write.characteristic === FirmwareGatt.control) target.onControl(write.data);
    else if (write.characteristic === FirmwareGatt.data) target.onData(write.data);
  };
}
