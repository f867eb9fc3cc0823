import { encodeBatteryLevel, encodeWorn, GattCharacteristic as C, GattService as S, vigieUuid } from '@vigie/protocol';
import type { FakeDeviceSpec, FakeServiceSpec } from './fake-noble-bindings.ts';

/**
 * GATT tables of the devices a box meets, for the fake noble bindings (imported by tests only).
 * Each carries services the box must ignore (Generic Access, Device Information, an unknown vendor
 * characteristic) so the tests show that only `NOTIFIED_CHARACTERISTICS` are touched.
 */

/** Generic Access (0x1800) with Device Name (0x2A00): every device has it. */
const genericAccess: FakeServiceSpec = { uuid: '1800', characteristics: [{ uuid: '2a00', properties: ['read'] }] };

/** Device Information (0x180A): manufacturer name (0x2A29) and model number (0x2A24), read only. */
const deviceInformation: FakeServiceSpec = {
  uuid: S.deviceInformation,
  characteristics: [
    { uuid: '2a29', properties: ['read'] },
    { uuid: '2a24', properties: ['read'] },
  ],
};

/** A vendor characteristic slot the box does not know (a future firmware's). */
export const UNKNOWN_VENDOR_CHARACTERISTIC = vigieUuid(0x01ff);

/** A Vigie bracelet: standard HR, PLX and battery services plus the vendor service. */
export function vigieBraceletSpec(address: string, options: { battery?: number; worn?: boolean; advertise?: boolean } = {}): FakeDeviceSpec {
  return {
    address,
    localName: 'Vigie Bracelet',
    // A Vigie bracelet advertises its vendor service; 128-bit UUIDs leave little room for others.
    advertisedServices: options.advertise === false ? [] : [S.vigie],
    services: [
      genericAccess,
      deviceInformation,
      { uuid: S.heartRate, characteristics: [{ uuid: C.heartRateMeasurement, properties: ['notify'] }, { uuid: '2a38', properties: ['read'] }] },
      { uuid: S.pulseOximeter, characteristics: [{ uuid: C.plxContinuousMeasurement, properties: ['notify'] }, { uuid: '2a60', properties: ['read'] }] },
      { uuid: S.battery, characteristics: [{ uuid: C.batteryLevel, properties: ['read', 'notify'], value: encodeBatteryLevel(options.battery ?? 100) }] },
      {
        uuid: S.vigie,
        characteristics: [
          { uuid: C.vigieSteps, properties: ['notify'] },
          { uuid: C.vigieEmergency, properties: ['indicate'] },
          { uuid: C.vigieWorn, properties: ['read', 'notify'], value: encodeWorn(options.worn ?? true) },
          { uuid: UNKNOWN_VENDOR_CHARACTERISTIC, properties: ['read', 'notify'] },
        ],
      },
    ],
  };
}

/** An off-the-shelf chest strap: the Heart Rate Service only (plus body sensor location). */
export function chestStrapSpec(address: string): FakeDeviceSpec {
  return {
    address,
    localName: 'HRM-Strap 42',
    advertisedServices: [S.heartRate],
    services: [
      genericAccess,
      { uuid: S.heartRate, characteristics: [{ uuid: C.heartRateMeasurement, properties: ['notify'] }, { uuid: '2a38', properties: ['read'] }] },
      deviceInformation,
    ],
  };
}

/** An off-the-shelf pulse oximeter: PLX service, and a Battery Level it does not notify (BAS notify is optional). */
export function oximeterSpec(address: string, battery = 62): FakeDeviceSpec {
  return {
    address,
    localName: 'PO3 Oximeter',
    advertisedServices: [S.pulseOximeter],
    services: [
      genericAccess,
      { uuid: S.pulseOximeter, characteristics: [{ uuid: '2a60', properties: ['read'] }, { uuid: C.plxContinuousMeasurement, properties: ['notify'] }] },
      { uuid: S.battery, characteristics: [{ uuid: C.batteryLevel, properties: ['read'], value: encodeBatteryLevel(battery) }] },
    ],
  };
}

/** A device of no interest: a keyboard (HID over GATT, 0x1812) with a battery. */
export function keyboardSpec(address: string): FakeDeviceSpec {
  return {
    address,
    localName: 'BT Keyboard',
    advertisedServices: ['1812'],
    services: [genericAccess, { uuid: '1812', characteristics: [{ uuid: '2a4d', properties: ['read', 'notify'] }] }, { uuid: S.battery, characteristics: [{ uuid: C.batteryLevel, properties: ['read', 'notify'] }] }],
  };
}

/** Advertises the Heart Rate Service but its GATT table has none of it (a broken or spoofing device). */
export function impostorSpec(address: string): FakeDeviceSpec {
  return { address, localName: 'HR?', advertisedServices: [S.heartRate], services: [genericAccess, deviceInformation] };
}
