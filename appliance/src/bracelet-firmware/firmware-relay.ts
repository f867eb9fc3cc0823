/**
 * The box relays a bracelet firmware release over BLE (issue 15 item 4; protocol in
 * `@vigie/protocol`'s `firmware-update.ts`): verify the release, announce it (`start`), send the
 * chunks the bracelet still lacks, each acknowledged; on a lost link wait for the bracelet to come
 * back and announce again — the bracelet answers where to resume. Then `activate`: the bracelet
 * reboots into the new image, and the `query` after it comes back says whether it runs it
 * (`updated`) or booted the previous one again (`rolled-back`).
 */
import type { KeyObject } from 'node:crypto';
import type { Logger } from '@vigie/common';
import {
  decodeFirmwareAnswer,
  encodeFirmwareChunk,
  encodeFirmwareCommand,
  FIRMWARE_CHUNK_MAX,
  firmwareCrc,
  FirmwareGatt,
  FirmwareOpcode,
  FirmwareStatus,
  type FirmwareAnswer,
  type FirmwareCommand,
} from '@vigie/protocol';
import type { BleNotification, BlePort } from '../ble/port.ts';
import { braceletFirmwareErrors } from './errors.ts';
import { verifyBraceletFirmwareRelease, type BraceletFirmwareRelease } from './release.ts';

/** How a relay ended. */
export interface FirmwareRelayResult {
  readonly outcome: 'updated' | 'rolled-back';
  /** The version the bracelet runs afterwards. */
  readonly running: string;
  /** Times the transfer resumed after a lost link. */
  readonly resumes: number;
  /** Bytes sent in chunks, resent ones included. */
  readonly bytesSent: number;
}

class LinkLost extends Error {}

export interface FirmwareRelayOptions {
  readonly ble: BlePort;
  readonly log: Logger;
  /** Release public keys (ed25519); several during a key rotation. */
  readonly releaseKeys: readonly KeyObject[];
  /** How long one answer may take (default 5 s), and the bracelet to come back (default 60 s). */
  readonly answerTimeoutMs?: number;
  readonly reconnectTimeoutMs?: number;
  /** Lost links tolerated in one relay (default 20). */
  readonly maxResumes?: number;
}

/** Relays firmware releases to the connected bracelet, one at a time. */
export class BraceletFirmwareRelay {
  readonly #ble: BlePort;
  readonly #log: Logger;
  readonly #keys: readonly KeyObject[];
  readonly #answerMs: number;
  readonly #reconnectMs: number;
  readonly #maxResumes: number;
  #linkUp = false;
  #pending: { resolve: (a: FirmwareAnswer) => void; reject: (e: Error) => void } | undefined;
  #waitingLink: (() => void) | undefined;

  constructor(options: FirmwareRelayOptions) {
    this.#ble = options.ble;
    this.#log = options.log.child({ module: 'bracelet-firmware' });
    this.#keys = options.releaseKeys;
    this.#answerMs = options.answerTimeoutMs ?? 5_000;
    this.#reconnectMs = options.reconnectTimeoutMs ?? 60_000;
    this.#maxResumes = options.maxResumes ?? 20;
  }

  readonly #onConnected = () => {
    this.#linkUp = true;
    this.#waitingLink?.();
  };
  readonly #onDisconnected = () => {
    this.#linkUp = false;
    this.#pending?.reject(new LinkLost('link lost'));
    this.#pending = undefined;
  };
  readonly #onNotification = (n: BleNotification) => {
    if (n.service !== FirmwareGatt.service || n.characteristic !== FirmwareGatt.control) return;
    try {
      const answer = decodeFirmwareAnswer(n.data);
      this.#pending?.resolve(answer);
      this.#pending = undefined;
    } catch (err) {
      this.#log.warn({ err }, 'malformed firmware answer skipped');
    }
  };

  /**
   * Verify `release` (nothing is written to the bracelet when it fails), then relay and activate
   * it. `linkUp`: whether the bracelet is connected now (the port only reports changes).
   */
  async relay(release: BraceletFirmwareRelease, linkUp: boolean): Promise<FirmwareRelayResult> {
    verifyBraceletFirmwareRelease(release, this.#keys);
    if (!this.#ble.write) throw braceletFirmwareErrors.create('BOX_FIRMWARE_NO_WRITE');
    this.#linkUp = linkUp;
    this.#ble.on('connected', this.#onConnected);
    this.#ble.on('disconnected', this.#onDisconnected);
    this.#ble.on('notification', this.#onNotification);
    try {
      return await this.#run(release);
    } finally {
      this.#ble.off('connected', this.#onConnected);
      this.#ble.off('disconnected', this.#onDisconnected);
      this.#ble.off('notification', this.#onNotification);
    }
  }

  async #run(release: BraceletFirmwareRelease): Promise<FirmwareRelayResult> {
    const image = release.image;
    const start: FirmwareCommand = { op: 'start', size: image.length, crc: firmwareCrc(image), version: release.version };
    let resumes = 0;
    let bytesSent = 0;
    for (;;) {
      try {
        await this.#waitForLink();
        let answer = await this.#command(start);
        if (answer.status !== FirmwareStatus.ok) throw this.#refused('start', answer);
        let offset = answer.offset;
        if (offset > 0) this.#log.info({ version: release.version, offset, size: image.length }, 'bracelet firmware transfer resumed');
        while (offset < image.length) {
          const payload = image.subarray(offset, offset + FIRMWARE_CHUNK_MAX);
          answer = await this.#exchange(FirmwareGatt.data, encodeFirmwareChunk(offset, payload), FirmwareOpcode.data);
          bytesSent += payload.length;
          // ok: the next offset; wrong offset or CRC mismatch: resend from the offset the bracelet says.
          if (answer.status !== FirmwareStatus.ok && answer.status !== FirmwareStatus.wrongOffset && answer.status !== FirmwareStatus.crcMismatch) throw this.#refused('data', answer);
          offset = answer.offset;
        }
        answer = await this.#command({ op: 'activate' });
        if (answer.status !== FirmwareStatus.ok) throw this.#refused('activate', answer);
        break;
      } catch (err) {
        if (!(err instanceof LinkLost)) throw err;
        if (++resumes > this.#maxResumes) throw braceletFirmwareErrors.create('BOX_FIRMWARE_TRANSFER_FAILED', { message: 'The BLE link to the bracelet was lost too many times', cause: err });
        this.#log.warn({ version: release.version, resumes }, 'BLE link lost during the bracelet firmware transfer; resuming when it is back');
      }
    }
    // The bracelet reboots into the new image: the link drops, then comes back.
    await this.#waitForLinkDown();
    await this.#waitForLink();
    const after = await this.#command({ op: 'query' });
    const outcome = after.running === release.version ? 'updated' : 'rolled-back';
    this.#log.info({ version: release.version, outcome, running: after.running, resumes }, 'bracelet firmware update finished');
    return { outcome, running: after.running, resumes, bytesSent };
  }

  #refused(stage: string, answer: FirmwareAnswer) {
    return braceletFirmwareErrors.create('BOX_FIRMWARE_TRANSFER_FAILED', { message: `The bracelet refused the firmware ${stage} (status ${answer.status})`, details: { stage, status: answer.status } });
  }

  #command(command: FirmwareCommand): Promise<FirmwareAnswer> {
    const opcode = command.op === 'start' ? FirmwareOpcode.start : FirmwareOpcode[command.op];
    return this.#exchange(FirmwareGatt.control, encodeFirmwareCommand(command), opcode);
  }

  /** One write and its answer; a lost link, a failed write or no answer in time is a `LinkLost`. */
  #exchange(characteristic: string, data: Buffer, opcode: FirmwareAnswer['opcode']): Promise<FirmwareAnswer> {
    if (!this.#linkUp) return Promise.reject(new LinkLost('link down'));
    return new Promise<FirmwareAnswer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending = undefined;
        reject(new LinkLost('no answer in time'));
      }, this.#answerMs);
      this.#pending = {
        resolve: (a) => {
          clearTimeout(timer);
          if (a.opcode === opcode) resolve(a);
          else reject(new LinkLost(`answer to opcode ${a.opcode} while waiting for ${opcode}`));
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.#ble.write!(FirmwareGatt.service, characteristic, data).catch((err: unknown) => {
        // A failed write is a link going down: wait for the adapter to report it back up.
        this.#linkUp = false;
        this.#pending?.reject(new LinkLost('write failed', { cause: err }));
        this.#pending = undefined;
      });
    });
  }

  #waitForLink(): Promise<void> {
    if (this.#linkUp) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waitingLink = undefined;
        reject(braceletFirmwareErrors.create('BOX_FIRMWARE_TRANSFER_FAILED', { message: 'The bracelet did not come back on the BLE link in time' }));
      }, this.#reconnectMs);
      this.#waitingLink = () => {
        clearTimeout(timer);
        this.#waitingLink = undefined;
        resolve();
      };
    });
  }

  #waitForLinkDown(): Promise<void> {
    if (!this.#linkUp) return Promise.resolve();
    return new Promise((resolve) => {
      const onDown = () => {
        this.#ble.off('disconnected', onDown);
        resolve();
      };
      this.#ble.on('disconnected', onDown);
    });
  }
}
