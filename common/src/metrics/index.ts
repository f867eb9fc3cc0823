export * from './registry.ts';
export * from './health.ts';
