import { GattMalformedReason, protocolErrors } from '../errors.ts';

/**
 * Bounds-checked little-endian reads and writes. GATT characteristic values carry multi-octet
 * fields least significant octet first (GATT Specification Supplement, "Byte transmission order").
 * Every read checks the remaining length first and throws
 * `PROTOCOL_GATT_MALFORMED` with reason `truncated`, never a RangeError.
 */
export class ByteReader {
  readonly #data: Uint8Array;
  readonly #characteristic: string;
  #offset = 0;

  constructor(data: Uint8Array, characteristic: string) {
    if (!(data instanceof Uint8Array)) {
      throw malformed(characteristic, GattMalformedReason.notBytes, 'data is not a byte array');
    }
    this.#data = data;
    this.#characteristic = characteristic;
  }

  get remaining(): number {
    return this.#data.length - this.#offset;
  }

  uint8(field: string): number {
    this.#need(1, field);
    return this.#data[this.#offset++]!;
  }

  uint16(field: string): number {
    this.#need(2, field);
    const d = this.#data;
    const o = this.#offset;
    this.#offset += 2;
    return d[o]! | (d[o + 1]! << 8);
  }

  uint24(field: string): number {
    this.#need(3, field);
    const d = this.#data;
    const o = this.#offset;
    this.#offset += 3;
    return d[o]! | (d[o + 1]! << 8) | (d[o + 2]! << 16);
  }

  uint32(field: string): number {
    this.#need(4, field);
    const d = this.#data;
    const o = this.#offset;
    this.#offset += 4;
    // `>>> 0` keeps the top bit unsigned (JavaScript bit operations are signed 32-bit).
    return (d[o]! | (d[o + 1]! << 8) | (d[o + 2]! << 16) | (d[o + 3]! << 24)) >>> 0;
  }

  /** Refuse bytes nothing in the frame announces: a corrupted frame must not pass as a valid one. */
  end(): void {
    if (this.remaining !== 0) {
      throw malformed(this.#characteristic, GattMalformedReason.trailingBytes, `${this.remaining} unexpected trailing byte(s)`, {
        length: this.#data.length,
      });
    }
  }

  #need(bytes: number, field: string): void {
    if (this.remaining < bytes) {
      throw malformed(this.#characteristic, GattMalformedReason.truncated, `frame ends before ${field}`, {
        field,
        length: this.#data.length,
      });
    }
  }
}

/** Little-endian writer into a growing byte list; values are range-checked by the encoders. */
export class ByteWriter {
  readonly #bytes: number[] = [];

  uint8(value: number): this {
    this.#bytes.push(value & 0xff);
    return this;
  }

  uint16(value: number): this {
    this.#bytes.push(value & 0xff, (value >>> 8) & 0xff);
    return this;
  }

  uint24(value: number): this {
    this.#bytes.push(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff);
    return this;
  }

  uint32(value: number): this {
    this.#bytes.push(value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff);
    return this;
  }

  toBytes(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }
}

/** The catalogued error for a refused frame, `reason` and characteristic in its details. */
export function malformed(
  characteristic: string,
  reason: GattMalformedReason,
  explanation: string,
  extra: Record<string, unknown> = {},
) {
  return protocolErrors.create('PROTOCOL_GATT_MALFORMED', {
    message: `Malformed ${characteristic} value: ${explanation}`,
    details: { reason, characteristic, ...extra },
  });
}

/** Throw `PROTOCOL_GATT_VALUE_OUT_OF_RANGE` unless `value` is an integer in [min, max]. */
export function requireInteger(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw outOfRange(field, `an integer in ${min}..${max}`, { min, max });
  return value;
}

/** The catalogued error for a value an encoder cannot represent (the value itself is not logged). */
export function outOfRange(field: string, expected: string, extra: Record<string, unknown> = {}) {
  return protocolErrors.create('PROTOCOL_GATT_VALUE_OUT_OF_RANGE', {
    message: `${field} must be ${expected}`,
    details: { field, ...extra },
  });
}
