import type { EventEmitter } from 'node:events';
import type { Module, VigieError } from '@vigie/common';

/**
 * The box's Bluetooth LE port. Adapters live beside it: `simulated-ble.ts` (the bracelet
 * simulator's radio socket) and `noble-ble.ts` (a real controller through noble, the only place
 * noble may be imported).
 * An adapter finds the bracelet, keeps the link up (reconnecting on its own), subscribes to the
 * characteristics in `NOTIFIED_CHARACTERISTICS` and reports what happens as typed events. It does
 * not decode values: that is the bridge's job, the same for every adapter.
 */

/** One GATT notification, as received. */
export interface BleNotification {
  readonly deviceId: string;
  /** Normalised service UUID (`normalizeUuid`). */
  readonly service: string;
  /** Normalised characteristic UUID. */
  readonly characteristic: string;
  /** The characteristic value, exactly as sent. */
  readonly data: Buffer;
  /** Box clock (epoch ms) at reception: the bracelet has no clock, so this is the reading's time. */
  readonly receivedAt: number;
}

/** A bracelet link is up and its services discovered. */
export interface BleConnected {
  readonly deviceId: string;
  readonly name: string;
  /**
   * Normalised UUIDs of the services the device offers (GATT discovery; the simulator's hello). The
   * bridge tells a Vigie bracelet (vendor service `GattService.vigie`) from a third-party standard
   * heart-rate or oximeter device by it.
   */
  readonly services: readonly string[];
}

/** A bracelet link went down; the adapter is already trying to reconnect (unless stopped). */
export interface BleDisconnected {
  readonly deviceId: string;
  /** Short, log-safe explanation (`link closed`, `stopped`…). */
  readonly reason: string;
}

/**
 * States of the box's Bluetooth controller: noble's adapter states, plus `unavailable` when the BLE
 * library itself could not be loaded.
 */
export type BleAdapterState = 'unknown' | 'resetting' | 'poweredOn' | 'poweredOff' | 'unsupported' | 'unauthorized' | 'unavailable';

/** The Bluetooth controller changed state. */
export interface BleAdapterStatus {
  readonly state: BleAdapterState;
  /** Why no bracelet can be reached in this state (a catalogued `BOX_BLE_*` error); null when it can, or may soon. */
  readonly error: VigieError | null;
}

/** The events of a {@link BlePort}. */
export interface BlePortEvents {
  notification: [BleNotification];
  connected: [BleConnected];
  disconnected: [BleDisconnected];
  /** Emitted only by adapters with a real radio controller (the simulated adapter has none). */
  adapter: [BleAdapterStatus];
}

/**
 * A BLE adapter: a module (`start()` returns once it is trying — a missing bracelet never blocks
 * the box) with typed events. Listeners are removed by their owner's `stop()`.
 */
export interface BlePort extends Module, Pick<EventEmitter<BlePortEvents>, 'on' | 'off' | 'once'> {
  /**
   * A GATT write to the connected bracelet (the firmware update's control point and data); rejects
   * when no link is up. Optional: an adapter without it cannot relay a firmware update.
   */
  write?(service: string, characteristic: string, data: Uint8Array): Promise<void>;
}
