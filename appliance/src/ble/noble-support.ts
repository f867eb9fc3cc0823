import type { AdapterState, DisconnectReason, PeripheralAdvertisement } from '@stoprocent/noble';
import type { VigieError } from '@vigie/common';
import { GattService, NOTIFIED_CHARACTERISTICS, normalizeUuid, protocolErrors, type DecodedKind } from '@vigie/protocol';
import { bleErrors } from './errors.ts';
import type { Schedule } from './simulated-ble.ts';

/**
 * Pure helpers of the noble adapter, apart so `noble-ble.ts` stays about the link's life cycle.
 * Nothing here loads noble: only its types are used.
 */

/**
 * Services whose advertisement makes a device worth connecting to when no bracelet address is
 * configured: any standard heart-rate strap or pulse oximeter, or a Vigie bracelet. The Battery
 * Service alone is not a reason (every other gadget has one).
 */
export const SENSOR_SERVICES: ReadonlySet<string> = new Set([GattService.heartRate, GattService.pulseOximeter, GattService.vigie]);

/**
 * Kinds read once right after connecting, besides being notified: states the box must know at once
 * rather than at their next change. Never `emergency` (a stale event read back would raise a second
 * alert) nor measurements (a read-back value is not a new reading).
 */
export const READ_ONCE_KINDS: ReadonlySet<DecodedKind> = new Set<DecodedKind>(['battery', 'worn']);

/** `normalizeUuid`, or undefined for text that is not a UUID (a device may advertise garbage). */
export function tryNormalizeUuid(uuid: unknown): string | undefined {
  if (typeof uuid !== 'string') return undefined;
  try {
    return normalizeUuid(uuid);
  } catch (err) {
    if (protocolErrors.is(err)) return undefined;
    throw err;
  }
}

/** The first {@link SENSOR_SERVICES} entry a device advertises (service UUID lists or service data). */
export function advertisedSensorService(advertisement: Partial<PeripheralAdvertisement> | undefined): string | undefined {
  const uuids = [...(advertisement?.serviceUuids ?? []), ...(advertisement?.serviceData ?? []).map((d) => d.uuid)];
  for (const uuid of uuids) {
    const normalized = tryNormalizeUuid(uuid);
    if (normalized !== undefined && SENSOR_SERVICES.has(normalized)) return normalized;
  }
  return undefined;
}

/** The characteristics the box reads in the service `serviceUuid` (normalised), none for a service it does not know. */
export function wantedCharacteristics(serviceUuid: string): typeof NOTIFIED_CHARACTERISTICS {
  return NOTIFIED_CHARACTERISTICS.filter((c) => c.service === serviceUuid);
}

/**
 * A Bluetooth device address reduced to 12 lower-case hex digits (`C0:FF:EE:00:00:01` →
 * `c0ffee000001`), the form noble's HCI bindings use as peripheral id; undefined if it is not one.
 */
export function addressKey(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  const hex = address.trim().toLowerCase().replace(/[:-]/g, '');
  return /^[0-9a-f]{12}$/.test(hex) ? hex : undefined;
}

/**
 * The bracelet id a device is reported under: its address, lower case with colons, as noble's HCI
 * bindings give it (`c0:ff:ee:00:00:01`); noble's own id where the platform hides addresses (macOS).
 */
export function deviceIdOf(peripheral: { readonly id: string; readonly address: string }): string {
  const key = addressKey(peripheral.address);
  return key === undefined ? peripheral.id : key.match(/../g)!.join(':');
}

/** HCI disconnection reasons worth naming (Core v5.4, Vol 1, Part F §1.3, error codes). */
const HCI_REASONS: Readonly<Record<number, string>> = {
  0x03: 'adapter hardware failure',
  0x08: 'link lost (supervision timeout)',
  0x13: 'closed by the device',
  0x14: 'closed by the device (low resources)',
  0x15: 'closed by the device (power off)',
  0x16: 'closed by the box',
  0x22: 'link lost (LL response timeout)',
  0x3b: 'unacceptable connection parameters',
  0x3d: 'link lost (MIC failure)',
  0x3e: 'connection failed to be established',
};

/** A short, log-safe text for noble's `disconnect` reason (a numeric HCI status, or a string). */
export function describeDisconnect(reason: DisconnectReason | undefined): string {
  if (typeof reason === 'number') return HCI_REASONS[reason] ?? `HCI status 0x${reason.toString(16).padStart(2, '0')}`;
  // noble's own cleanup when the adapter leaves poweredOn or is reset.
  if (reason === 'cleanup') return 'adapter reset or powered off';
  return reason ? `link closed (${String(reason).slice(0, 60)})` : 'link closed';
}

/** The catalogued error of an adapter state that keeps every bracelet out of reach; null otherwise. */
export function adapterStateError(state: AdapterState): VigieError | null {
  switch (state) {
    case 'poweredOff':
      return bleErrors.create('BOX_BLE_POWERED_OFF', { details: { state } });
    case 'unsupported':
      return bleErrors.create('BOX_BLE_UNSUPPORTED', { details: { state } });
    case 'unauthorized':
      return bleErrors.create('BOX_BLE_UNAUTHORIZED', { details: { state } });
    case 'poweredOn':
    case 'unknown':
    case 'resetting':
      return null;
    default:
      return state satisfies never;
  }
}

/**
 * Delay before reconnection attempt `attempt` (0-based): exponential from `initialMs`, capped at
 * `maxMs`, with "equal jitter" — between half and all of that — so boxes that lost their bracelets
 * together (a power cut in a care home) do not all retry in step, and no retry comes at once.
 */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** Rejects with a timeout error if `work` has not settled within `ms` (on the injected schedule). */
export function withDeadline<T>(work: Promise<T>, ms: number, schedule: Schedule, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const cancel = schedule(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    work.then(
      (value) => {
        cancel();
        resolve(value);
      },
      (err: unknown) => {
        cancel();
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
