export { createBox, BOX_SOFTWARE_VERSION, type Box, type BoxOptions } from './box.ts';
export { loadBoxEnv, BoxEnvSchema, type BoxEnv } from './config.ts';
export { boxErrors } from './errors.ts';
