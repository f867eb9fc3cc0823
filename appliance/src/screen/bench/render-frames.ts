/**
 * Benchmark: the CPU cost of one screen frame, step by step, for every reference screen:
 * render (canvas drawing + RGBA read-back + threshold and pack to 1 bit: `renderScreen`), pack alone,
 * rotation into the SSD1680's RAM layout (`frameToRam`), and PNG encoding (the simulated display).
 * The panel's own refresh (~2 s full, ~0.5 s partial) and SPI time (8,000 bytes at 4 MHz: ~16 ms)
 * are not measured here: they need the hardware.
 *
 *     npx tsx appliance/src/screen/bench/render-frames.ts [--rounds 200] [--out bench/results]
 *
 * Prints the figures; with --out, also writes them as JSON with the machine, date and commit
 * (bench/lib/results.ts: a clean tree only, unless `--allow-dirty`).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { createCanvas } from '@napi-rs/canvas';
import { recordResults } from '../../../../bench/lib/results.ts';
import { packRgba } from '../../display/frame.ts';
import { encodeFramePng } from '../../display/png-1bit.ts';
import { REFERENCE_SCREENS } from '../reference-screens.ts';
import { renderScreen } from '../screens.ts';
import { frameToRam } from '../../display/ssd1680.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '200' }, out: { type: 'string' } } });
const rounds = Number(values.rounds);

interface Figures {
  readonly step: string;
  readonly rounds: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

function measure(step: string, run: (i: number) => unknown): Figures {
  for (let i = 0; i < 20; i++) run(i); // warm-up: JIT, font cache
  const each: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    run(i);
    each.push(performance.now() - t);
  }
  each.sort((a, b) => a - b);
  const at = (q: number) => each[Math.min(each.length - 1, Math.floor(q * each.length))]!;
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  return { step, rounds, meanMs: round(each.reduce((a, b) => a + b, 0) / rounds), p50Ms: round(at(0.5)), p99Ms: round(at(0.99)), maxMs: round(each.at(-1)!) };
}

const screens = REFERENCE_SCREENS;
const firstCold = (() => {
  const t = performance.now();
  renderScreen(screens[0]!.state, screens[0]!.now); // loads the fonts
  return Math.round((performance.now() - t) * 10) / 10;
})();
const frames = screens.map((s) => renderScreen(s.state, s.now));
const rgba = (() => {
  const ctx = createCanvas(250, 122).getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, 250, 122);
  return ctx.getImageData(0, 0, 250, 122).data;
})();

const figures: Figures[] = [
  measure('renderScreen (draw + read back + pack), all screens in turn', (i) => renderScreen(screens[i % screens.length]!.state, screens[i % screens.length]!.now)),
  ...screens.map((s) => measure(`renderScreen ${s.name}`, () => renderScreen(s.state, s.now))),
  measure('packRgba alone (threshold + pack 30,500 pixels)', () => packRgba(rgba)),
  measure('frameToRam (rotate into SSD1680 RAM, 4,000 bytes)', (i) => frameToRam(frames[i % frames.length]!)),
  measure('encodeFramePng (PNG display)', (i) => encodeFramePng(frames[i % frames.length]!)),
];

console.log(`first render of the process (fonts loaded): ${firstCold} ms`);
console.table(figures);

if (values.out !== undefined) {
  console.log(`written to ${recordResults('display-render', { firstRenderMs: firstCold, figures }, resolve(values.out))}`);
}
