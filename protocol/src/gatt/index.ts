export * from './uuids.ts';
export * from './sfloat.ts';
export * from './heart-rate-measurement.ts';
export * from './plx-continuous.ts';
export * from './battery-level.ts';
export * from './vendor.ts';
export * from './decode.ts';
export * from './sim-radio.ts';
