/**
 * `npm run bench:box-memory`: the memory of the box's processes (issue 11, build 7), started as the
 * systemd units start them — their `ExecStart` and `Environment` read from image-build/systemd/*.service
 * (compiled JavaScript, heap caps), with the node binary running this script and this checkout in
 * place of /usr/bin/node and /opt/vigie — on simulated hardware: the bracelet simulator on its
 * unix-socket radio (in this process), the modem emulator in its own process at the far end of a
 * socat pty pair, the PNG display, no GPIO, no reachable cloud (telemetry buffers, as offline).
 *
 * Once the bracelet is connected it samples, every few seconds for the whole duration, each box
 * process's resident memory (VmRSS, VmHWM from /proc/<pid>/status) and proportional memory (Pss from
 * /proc/<pid>/smaps_rollup: shared pages, such as the node binary's, split between the processes
 * that map them), and their resident memory together with each shared file page counted once
 * (`residentTogetherKb`), and injects one fall half-way (the SMS must go out). Records the last
 * sample and the peaks per process and in total. Target: at most 150 MB resident for all box
 * processes together.
 *
 *     npm run bench:box-memory [-- --duration 120] [--interval 5] [--speed 10] [--source] [--node-flags "…"]
 *
 * `--source` runs the TypeScript sources through tsx without heap caps instead (the box before
 * build 7), for comparison.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { dataPaths } from '@vigie/common';
import { freePort, tempDir, waitUntil } from '@vigie/common/testing';
import { BraceletSimulator } from '@vigie/bracelet';
import { addContact, provision, setAlerting } from '@vigie/provisioning';
import { startPtyPair } from '../appliance/src/modem/pty-pair.ts';
import { BOX_CLI, MODEM_EMULATOR_CLI, ensureBoxBuild } from '../scripts/lib/box-build.ts';
import { ROOT, startChild, type Child } from '../scripts/lib/processes.ts';
import { recordResults } from './lib/results.ts';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '120' },
    interval: { type: 'string', default: '5' },
    speed: { type: 'string', default: '10' },
    source: { type: 'boolean', default: false },
    /** Extra node flags for every box process, for trials (recorded). */
    'node-flags': { type: 'string', default: '' },
  },
});
const durationS = Number(values.duration);
const intervalS = Number(values.interval);
const speed = Number(values.speed);
const TARGET_TOTAL_RSS_MB = 150;
const PARTS = ['safety', 'telemetry', 'screen'] as const;
type Part = (typeof PARTS)[number];

/** A systemd unit's command line and environment, as the bench runs it here. */
interface UnitCommand {
  readonly nodeArgs: string[];
  readonly script: string;
  readonly args: string[];
  readonly env: Record<string, string>;
}

function readUnit(part: Part): UnitCommand {
  const unit = readFileSync(join(ROOT, 'image-build', 'systemd', `vigie-${part}.service`), 'utf8');
  const env: Record<string, string> = {};
  for (const [, name, value] of unit.matchAll(/^Environment=([A-Z_]+)=(.*)$/gm)) env[name!] = value!;
  const exec = /^ExecStart=(.*)$/m.exec(unit)?.[1]?.trim().split(/\s+/);
  if (!exec || exec[0] !== '/usr/bin/node') throw new Error(`vigie-${part}.service: no ExecStart=/usr/bin/node …`);
  const scriptAt = exec.findIndex((word, i) => i > 0 && !word.startsWith('-'));
  return {
    nodeArgs: exec.slice(1, scriptAt),
    script: exec[scriptAt]!.replace(/^\/opt\/vigie\//, ''),
    args: exec.slice(scriptAt + 1),
    env,
  };
}

/** kB figures of one process (from /proc), or undefined once it is gone. */
function sample(pid: number): { rssKb: number; hwmKb: number; rssAnonKb: number; rssFileKb: number; pssKb: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const field = (text: string, name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? Number.NaN);
    return {
      rssKb: field(status, 'VmRSS'),
      hwmKb: field(status, 'VmHWM'),
      rssAnonKb: field(status, 'RssAnon'),
      rssFileKb: field(status, 'RssFile'),
      pssKb: field(rollup, 'Pss'),
    };
  } catch {
    return undefined;
  }
}

/**
 * The box's processes' resident memory together, each page counted once: every process's private
 * pages, plus each file's shared pages (the node binary, native addons, ICU data) counted once, as
 * much as the process that has most of them resident. Summing VmRSS counts the node binary once per
 * process; summing Pss lets any other process mapping the same files (this script, the emulator)
 * take a share. This is what the box's processes together hold in RAM.
 */
function residentTogetherKb(pids: readonly number[]): number {
  let privateKb = 0;
  const sharedPerFile = new Map<string, number>();
  for (const pid of pids) {
    const perFile = new Map<string, number>();
    let file = '';
    for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
      const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ (\d+)\s*(.*)$/.exec(line);
      if (mapping) {
        // Anonymous mappings have inode 0: their shared pages (rare: shared memory) count per mapping.
        file = mapping[1] === '0' ? `anon:${pid}:${line}` : `${mapping[1]}:${mapping[2]}`;
        continue;
      }
      const field = /^(Private_Clean|Private_Dirty|Shared_Clean|Shared_Dirty):\s+(\d+) kB/.exec(line);
      if (!field) continue;
      if (field[1]!.startsWith('Private')) privateKb += Number(field[2]);
      else perFile.set(file, (perFile.get(file) ?? 0) + Number(field[2]));
    }
    for (const [name, kb] of perFile) sharedPerFile.set(name, Math.max(sharedPerFile.get(name) ?? 0, kb));
  }
  return privateKb + [...sharedPerFile.values()].reduce((a, b) => a + b, 0);
}

const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;

if (!values.source) await ensureBoxBuild((line) => console.log(line));
const dir = tempDir('vigie-bench-box-memory-');
const paths = dataPaths(dir.path);
provision(paths.boxConfig, { boxId: 'VB-BENCH-0002', cloudUrl: 'http://127.0.0.1:9', token: 't'.repeat(32), patientName: 'Jeanne Dupont' });
addContact(paths.boxConfig, { name: 'Sophie Bernard', phone: '+33639980001', role: 'nurse' });
addContact(paths.boxConfig, { name: 'Paul Dupont', phone: '+33639980002', role: 'relative' });
setAlerting(paths.boxConfig, { fallCancelSeconds: 0 });

const pty = await startPtyPair(dir.path);
const smsFile = join(dir.path, 'sms.jsonl');
const modem = startChild('modem-emu', values.source ? 'appliance/src/modem/emulator/cli.ts' : MODEM_EMULATOR_CLI, ['--device', pty.b, '--record', smsFile], process.env, { echo: false });
await modem.waitFor(/modem emulator serving/, 60_000);
const bracelet = new BraceletSimulator({ deviceId: 'BR-BENCH-0002', speed, radioSocketPath: paths.braceletRadioSocket });
await bracelet.start();

const mqttPort = String(await freePort());
const children = new Map<Part, Child>();
const commands = new Map<Part, UnitCommand>();
try {
  for (const part of PARTS) {
    const unit = readUnit(part);
    const command: UnitCommand = values.source ? { nodeArgs: [], script: 'appliance/src/cli.ts', args: [part], env: unit.env } : unit;
    if (!values.source && join(ROOT, command.script) !== BOX_CLI) throw new Error(`vigie-${part}.service runs ${command.script}, not the compiled box`);
    commands.set(part, command);
    const env = {
      ...process.env,
      ...command.env,
      // The simulated hardware of this machine in place of the Pi's.
      VIGIE_DATA_DIR: dir.path,
      VIGIE_MODEM_DEVICE: pty.a,
      VIGIE_MQTT_PORT: mqttPort,
      VIGIE_BLE: 'simulated',
      VIGIE_GPIO: 'none',
      VIGIE_DISPLAY: 'png',
    };
    const nodeArgs = [...command.nodeArgs, ...values['node-flags'].split(/\s+/).filter(Boolean)];
    const child = startChild(part, command.script, command.args, env, { echo: false, nodeArgs });
    children.set(part, child);
    await child.waitFor(new RegExp(`vigie-box ${part} running`), 60_000);
  }
  await waitUntil(() => bracelet.status().boxes > 0, 'the safety core connected to the bracelet', 60_000, 50);
  console.log(`box running (${values.source ? 'tsx sources, no heap caps' : 'compiled, heap caps'}); sampling for ${durationS} s…`);

  const samples: Record<Part, NonNullable<ReturnType<typeof sample>>[]> = { safety: [], telemetry: [], screen: [] };
  const together: number[] = [];
  const started = Date.now();
  let fallAt: number | undefined;
  while (Date.now() - started < durationS * 1000) {
    for (const part of PARTS) {
      const figures = sample(children.get(part)!.process.pid!);
      if (!figures) throw new Error(`the ${part} process died during the benchmark`);
      samples[part].push(figures);
    }
    together.push(residentTogetherKb(PARTS.map((part) => children.get(part)!.process.pid!)));
    if (fallAt === undefined && Date.now() - started >= (durationS * 1000) / 2) {
      fallAt = Date.now();
      bracelet.injectFall();
    }
    await new Promise((resolve) => setTimeout(resolve, intervalS * 1000));
  }
  const smsSent = existsSync(smsFile) ? readFileSync(smsFile, 'utf8').split('\n').filter(Boolean).length : 0;
  if (smsSent < 2) throw new Error(`the fall injected half-way sent ${smsSent} SMS, expected 2: the box is not working`);

  interface ProcessFigures {
    readonly command: string;
    readonly rssMB: number;
    readonly pssMB: number;
    readonly rssAnonMB: number;
    readonly rssFileMB: number;
    readonly peakRssMB: number;
    readonly peakPssMB: number;
  }
  const figuresOf = (part: Part): ProcessFigures => {
    const list = samples[part];
    const last = list.at(-1)!;
    const command = commands.get(part)!;
    return {
      command: ['node', ...command.nodeArgs, command.script, ...command.args].join(' '),
      rssMB: mb(last.rssKb),
      pssMB: mb(last.pssKb),
      rssAnonMB: mb(last.rssAnonKb),
      rssFileMB: mb(last.rssFileKb),
      peakRssMB: mb(Math.max(...list.map((s) => s.hwmKb))),
      peakPssMB: mb(Math.max(...list.map((s) => s.pssKb))),
    };
  };
  const perProcess: Record<Part, ProcessFigures> = { safety: figuresOf('safety'), telemetry: figuresOf('telemetry'), screen: figuresOf('screen') };
  const sum = (pick: (p: ProcessFigures) => number) => Math.round(PARTS.reduce((total, part) => total + pick(perProcess[part]), 0) * 10) / 10;
  const total = {
    residentTogetherMB: mb(together.at(-1)!),
    peakResidentTogetherMB: mb(Math.max(...together)),
    rssSumMB: sum((p) => p.rssMB),
    pssSumMB: sum((p) => p.pssMB),
    peakRssSumMB: sum((p) => p.peakRssMB),
    peakPssSumMB: sum((p) => p.peakPssMB),
  };
  const targetMet = total.peakResidentTogetherMB <= TARGET_TOTAL_RSS_MB;
  console.table(perProcess);
  console.log(
    `together: ${total.residentTogetherMB} MB resident (peak ${total.peakResidentTogetherMB} MB; shared file pages counted once); ` +
      `sum of VmRSS ${total.rssSumMB} MB (peak ${total.peakRssSumMB}), sum of Pss ${total.pssSumMB} MB. ` +
      `Target ≤ ${TARGET_TOTAL_RSS_MB} MB resident together: ${targetMet ? 'met' : 'NOT met'}`,
  );
  const name = values.source ? 'box-memory-tsx-sources' : 'box-memory';
  console.log(
    `recorded in ${recordResults(name, {
      mode: values.source ? 'TypeScript sources through tsx, no heap caps' : 'compiled (appliance/dist), heap caps of the systemd units',
      durationS,
      sampleIntervalS: intervalS,
      braceletSpeed: speed,
      extraNodeFlags: values['node-flags'] || undefined,
      smsSentForTheFall: smsSent,
      targetTotalRssMB: TARGET_TOTAL_RSS_MB,
      targetMet,
      perProcess,
      total,
    })}`,
  );
} finally {
  for (const part of [...PARTS].reverse()) await children.get(part)?.stop();
  await bracelet.stop();
  await modem.stop();
  await pty.close();
  dir.cleanup();
}
