/**
 * The GSM modem: the port, its serial adapter, the emulator, and the factory that picks one.
 * See README.md beside this file.
 */
export type { IncomingSms, Modem, ModemHealth, SmsListener, SmsSendResult, SmsStoreResult, StoredSendResult, StoredSmsStatus } from './port.ts';
export { createModem, type CreateModemOptions } from './factory.ts';
export { SerialModem, type SerialModemOptions } from './serial-modem.ts';
export { modemErrors, type ModemErrorCode } from './errors.ts';
export { AtChannel, type AtChannelOptions, type AtCommandOptions, type AtResponse, type UnsolicitedCode } from './at-channel.ts';
export { decodeDeliver, decodeSubmit, encodeDeliver, encodeSubmit, type DeliverMessage, type PduPart, type SubmitMessage } from './pdu.ts';
export { ModemEmulator, REGISTRATION, type EmulatedSim, type EmulatorClock, type ModemEmulatorOptions, type SentPart, type SentSms } from './emulator/modem-emulator.ts';
export { emulatorBinding, EMULATOR_PATH } from './emulator/emulator-binding.ts';
export { serveEmulatorOnDevice } from './emulator/serve-device.ts';
export { maskNumber } from './emulator/mask-number.ts';
