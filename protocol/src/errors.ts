import { defineErrors } from '@vigie/common';

/**
 * Errors of the wire contracts. Every GATT parser throws only these (never a RangeError from a
 * byte read), each with a stable `reason` in `details` — one of {@link GattMalformedReason} for
 * `PROTOCOL_GATT_MALFORMED`, else `unknown_characteristic`, `unsupported_version`, `invalid_uuid` —
 * so the box can log and count a bad frame without knowing which parser refused it.
 */
export const protocolErrors = defineErrors({
  PROTOCOL_GATT_MALFORMED: { message: 'A BLE GATT value does not match the format of its characteristic' },
  PROTOCOL_GATT_UNKNOWN_CHARACTERISTIC: { message: 'A BLE GATT notification came from a characteristic Vigie does not decode' },
  PROTOCOL_GATT_UNSUPPORTED_VERSION: { message: 'A Vigie vendor characteristic carries a format version this software does not know' },
  PROTOCOL_GATT_INVALID_UUID: { message: 'A string is not a Bluetooth UUID' },
  PROTOCOL_GATT_VALUE_OUT_OF_RANGE: { message: 'A value cannot be encoded in its GATT field' },
});

/** A code of {@link protocolErrors}. */
export type ProtocolErrorCode = keyof typeof protocolErrors.codes;

/** Why a GATT value was refused (`details.reason` of `PROTOCOL_GATT_MALFORMED`). */
export const GattMalformedReason = {
  /** The frame ends before a field its flags announce. */
  truncated: 'truncated',
  /** Bytes remain after every field the flags announce. */
  trailingBytes: 'trailing_bytes',
  /** A field holds a value its specification forbids (battery above 100 %, unknown event kind…). */
  valueOutOfRange: 'value_out_of_range',
  /** The data is not a byte array at all (a JavaScript caller passed something else). */
  notBytes: 'not_bytes',
} as const;
export type GattMalformedReason = (typeof GattMalformedReason)[keyof typeof GattMalformedReason];
