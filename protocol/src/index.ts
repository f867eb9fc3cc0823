export * from './messages/index.ts';
export * from './alert-states.ts';
export * from './validate.ts';
export * from './errors.ts';
export * from './gatt/index.ts';
export * from './ndjson.ts';
export * from './kafka.ts';
export * from './command-signature.ts';
