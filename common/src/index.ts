export * from './errors.ts';
export * from './log.ts';
export * from './config.ts';
export * from './lifecycle.ts';
export * from './kick-loop.ts';
export * from './paths.ts';
export * from './private-files.ts';
