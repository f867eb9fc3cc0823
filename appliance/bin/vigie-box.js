#!/usr/bin/env node
// vigie-box: runs the compiled box (appliance/dist/, written by `npm run build` at the repository
// root), not the TypeScript sources: no TypeScript loader in the box's processes (issue 11, build 7).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/vigie-box.js', import.meta.url);
if (!existsSync(compiled)) {
  console.error(
    'vigie-box: the box is not built (appliance/dist/vigie-box.js is missing).\n' +
      'Run `npm run build` at the repository root, then try again. ' +
      '(In development, `npx tsx appliance/src/cli.ts …` runs the sources.)',
  );
  process.exit(1);
}
await import(compiled.href);
