#!/usr/bin/env node
// vigie-modem-emulator: runs the TypeScript CLI through tsx, no build step (`npx vigie-modem-emulator --help`).
import { register } from 'tsx/esm/api';

register();
await import('../src/modem/emulator/cli.ts');
