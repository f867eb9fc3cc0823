/** `npm run eval:falls`: prints and records (bench/results/eval-falls-<date>.json) the LOSO evaluation. */
import { recordResults } from '../../bench/lib/results.ts';
import { DEFAULT_FALL_PARAMS } from '../src/algorithms/fall-detector.ts';
import { fallsDatasetPath, fallsDatasetPresent, loadFallsDataset } from './dataset.ts';
import { detectionTable, evaluateDefaults, GRID, leaveOneSubjectOut, summarise, TRAIN_FA_PER_HOUR, TRAIN_FA_PER_HOUR_LOOSE, TRANSFORMS } from './falls-eval.ts';

const dir = fallsDatasetPath();
if (!fallsDatasetPresent(dir)) {
  console.error(`eval:falls: no falls development set at ${dir} (index.json missing). Set VIGIE_FALLS_DATASET to its directory.`);
  process.exit(2);
}
const started = performance.now();
const recordings = loadFallsDataset(dir);
const pct = (x: { p: number; low: number; high: number }) => `${(100 * x.p).toFixed(1)} % [${(100 * x.low).toFixed(1)}, ${(100 * x.high).toFixed(1)}]`;
const rate = (x: { rate: number; low: number; high: number }) => `${x.rate.toFixed(1)} /h [${x.low.toFixed(1)}, ${x.high.toFixed(1)}]`;
function print(title: string, s: ReturnType<typeof summarise>): void {
  console.log(`\n${title}`);
  console.log(`  sensitivity            ${pct(s.sensitivity)}  (${s.counts.fallsDetected}/${s.counts.falls} falls)`);
  console.log(`  specificity per trial  ${pct(s.specificityPerTrial)}  (${s.counts.adlTrialsWithoutAlarm}/${s.counts.adlTrials} ADL trials)`);
  console.log(`  false alarms per hour  ${rate(s.falseAlarmsPerHour)}  (${s.counts.falseAlarms} in ${s.counts.adlHours.toFixed(2)} h of ADL)`);
  const acts = Object.entries(s.falseAlarmsByActivity).map(([a, n]) => `${a}: ${n}`).join(', ');
  console.log(`  false alarms by activity: ${acts || 'none'}`);
}

console.log(`falls-dev: ${recordings.length} recordings, ${new Set(recordings.map((r) => r.subject)).size} subjects (95 % CI: Wilson for proportions, exact Poisson for rates)`);
const table = detectionTable(recordings);
function losoRun(limit: number) {
  const loso = leaveOneSubjectOut(recordings, table, limit);
  const summary = summarise(loso.outcome);
  print(`Leave-one-subject-out (grid of ${GRID.length} configurations chosen on the other subjects at ≤ ${limit} FA/h)`, summary);
  const chosenCounts: Record<string, number> = {};
  for (const p of Object.values(loso.chosen)) { const k = JSON.stringify(p); chosenCounts[k] = (chosenCounts[k] ?? 0) + 1; }
  console.log(`  configurations chosen: ${Object.entries(chosenCounts).map(([k, n]) => `${k} ×${n}`).join('; ')}`);
  return { trainingFalseAlarmsPerHourAtMost: limit, ...summary, chosen: loso.chosen };
}
const loso = losoRun(TRAIN_FA_PER_HOUR);
const losoLoose = losoRun(TRAIN_FA_PER_HOUR_LOOSE);

const robustness: Record<string, ReturnType<typeof summarise>> = {};
for (const [name, transform] of Object.entries(TRANSFORMS)) {
  robustness[name] = summarise(evaluateDefaults(recordings, transform));
  print(`Shipped defaults ${JSON.stringify(DEFAULT_FALL_PARAMS)}, all subjects, input ${name}`, robustness[name]);
}
const file = recordResults('eval-falls', {
  dataset: { path: 'falls-dev (UMAFall, wrist, 100 Hz resampled from ~20 Hz)', recordings: recordings.length },
  method: `leave-one-subject-out; per fold the configuration of the grid with the best training sensitivity at ≤ ${TRAIN_FA_PER_HOUR} (loso) or ≤ ${TRAIN_FA_PER_HOUR_LOOSE} (losoLoose) false alarms/h`,
  grid: GRID,
  loso,
  losoLoose,
  shippedDefaults: DEFAULT_FALL_PARAMS,
  robustnessOfDefaults: robustness,
  seconds: Math.round((performance.now() - started) / 1000),
});
console.log(`\nrecorded ${file}`);
