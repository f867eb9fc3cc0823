export * from './box-file.ts';
export * from './commands.ts';
export * from './errors.ts';
export * from './phone.ts';
export * from './bus-credentials.ts';
