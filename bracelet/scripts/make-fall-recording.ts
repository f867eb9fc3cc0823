/**
 * Writes `bracelet/recordings/fall-forward-synthetic.csv`: the fall the simulated bracelet replays
 * (`npm run scenario -- fall`, the demo's fall button). Synthesised by the physical model of
 * `synthFall` (never taken from a dataset). Run: `npx tsx bracelet/scripts/make-fall-recording.ts`.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { synthFall } from '../src/algorithms/synth.ts';

const s = synthFall({ seed: 7, beforeS: 4, afterS: 8, impactG: 6 });
const lines = ['x,y,z'];
for (let i = 0; i < s.length / 3; i++) lines.push(`${s[i * 3]!.toFixed(4)},${s[i * 3 + 1]!.toFixed(4)},${s[i * 3 + 2]!.toFixed(4)}`);
writeFileSync(resolve(import.meta.dirname, '..', 'recordings', 'fall-forward-synthetic.csv'), `${lines.join('\n')}\n`);
