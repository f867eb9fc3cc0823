export * from './box-file.ts';
export * from './commands.ts';
export * from './errors.ts';
