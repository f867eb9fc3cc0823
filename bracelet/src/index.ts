export * from './errors.ts';
export * from './physiology.ts';
export * from './simulator.ts';
export * from './control-protocol.ts';
export * from './control-client.ts';
export type { GattNotification } from './radio-server.ts';
export { BraceletEnvSchema, loadBraceletEnv, type BraceletEnv } from './config.ts';
export * from './firmware/firmware-image.ts';
export { FirmwareTarget, FIRMWARE_SLOT_BYTES } from './firmware/firmware-target.ts';
