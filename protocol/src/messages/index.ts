export * from './common.ts';
export * from './reading.ts';
export * from './telemetry.ts';
export * from './alert.ts';
export * from './heartbeat.ts';
export * from './mqtt.ts';
export * from './box-config.ts';
export * from './signing-key.ts';
