export * from './messages/index.ts';
export * from './validate.ts';
