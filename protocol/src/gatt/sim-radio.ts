import { Type, type Static } from '@sinclair/typebox';
import { BraceletId } from '../messages/common.ts';

/**
 * The simulated BLE radio between the bracelet simulator (`vigie-bracelet`) and the box's simulated
 * BLE adapter: newline-delimited JSON over a Unix socket, one frame per line, bracelet → box (and GATT writes,
 * box → bracelet, for the firmware update).
 * It stands in for a GATT connection: `hello` is the connection and service discovery, `notify` a
 * characteristic notification whose `data` is the exact GATT value, base64. Development and tests
 * only; a real box speaks BLE through noble.
 */

/** Longest line a reader accepts; a real GATT value is at most 512 bytes (Core Vol 3, Part F §3.2.9). */
export const SIM_RADIO_MAX_LINE = 4_096;

const UuidText = Type.String({ minLength: 4, maxLength: 40, pattern: '^[0-9A-Fa-fx-]+$', description: 'Bluetooth UUID (normalised by the reader)' });

/** First frame on every connection: who the bracelet is and which services it offers. */
export const SimRadioHello = Type.Object(
  {
    type: Type.Literal('hello'),
    deviceId: BraceletId,
    name: Type.String({ maxLength: 64, description: 'Advertised device name' }),
    services: Type.Array(UuidText, { maxItems: 16 }),
  },
  { additionalProperties: false, $id: 'SimRadioHello' },
);
export type SimRadioHello = Static<typeof SimRadioHello>;

/** One GATT notification. */
export const SimRadioNotify = Type.Object(
  {
    type: Type.Literal('notify'),
    service: UuidText,
    characteristic: UuidText,
    data: Type.String({ maxLength: 700, pattern: '^[A-Za-z0-9+/]*={0,2}$', description: 'GATT value, base64' }),
  },
  { additionalProperties: false, $id: 'SimRadioNotify' },
);
export type SimRadioNotify = Static<typeof SimRadioNotify>;

/**
 * A GATT write from the box to the bracelet (box → bracelet, the only frame in that direction):
 * the firmware update's control point and data (`firmware-update.ts`).
 */
export const SimRadioWrite = Type.Object(
  {
    type: Type.Literal('write'),
    service: UuidText,
    characteristic: UuidText,
    data: Type.String({ maxLength: 700, pattern: '^[A-Za-z0-9+/]*={0,2}$', description: 'GATT value, base64' }),
  },
  { additionalProperties: false, $id: 'SimRadioWrite' },
);
export type SimRadioWrite = Static<typeof SimRadioWrite>;

/** Any frame of the simulated radio from the bracelet to the box. */
export const SimRadioFrame = Type.Union([SimRadioHello, SimRadioNotify], { $id: 'SimRadioFrame' });
export type SimRadioFrame = Static<typeof SimRadioFrame>;
