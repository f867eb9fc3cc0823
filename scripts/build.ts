/**
 * `npm run build`: compile the box to JavaScript in `appliance/dist/` (scripts/lib/box-build.ts).
 * The portal's web front end has its own build (`npm run build -w cloud-portal`).
 */
import { relative } from 'node:path';
import { buildBox } from './lib/box-build.ts';
import { ROOT } from './lib/processes.ts';

const started = performance.now();
const files = await buildBox();
console.log(`box compiled in ${Math.round(performance.now() - started)} ms: ${files.filter((f) => f.endsWith('.js')).map((f) => relative(ROOT, f)).join(', ')}`);
