#!/usr/bin/env node
// `vigie-cloud`: runs the TypeScript CLI in this process through tsx's loader (no build step, and
// signals reach the CLI directly, not a wrapper).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
