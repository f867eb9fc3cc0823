/**
 * The checks that keep `docs/risks/README.md` true (the risk traceability matrix): pure functions over
 * the page's text and a file reader, so the test can also show that each check fails on a matrix that
 * breaks it (a fixture naming a removed test).
 */
import { testDeclarations, type TestDeclaration } from '../lib/test-declarations.ts';

export interface MatrixRisk {
  readonly id: string;
  readonly title: string;
  readonly controls: readonly { path: string; symbol: string }[];
  readonly tests: readonly { path: string; name: string }[];
  readonly open: readonly string[];
  readonly residual: boolean;
}

const HEADING = /^### ([A-Z]\d+) · (.+)$/;
const CONTROL = /^- \*\*Control\*\* `([^`]+)` `([^`]+)` — \S/;
const TEST = /^- \*\*Test\*\* `([^`]+)` › "(.+)"$/;
const OPEN = /^- \*\*Open\*\* issue (\d+) — \S/;
const RESIDUAL = /^- \*\*Residual\*\* — \S/;

/** The risks of the matrix, in page order; a line starting with `- **` that matches no format is an error. */
export function parseMatrix(text: string): { risks: MatrixRisk[]; errors: string[] } {
  const risks: { id: string; title: string; controls: { path: string; symbol: string }[]; tests: { path: string; name: string }[]; open: string[]; residual: boolean }[] = [];
  const errors: string[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    const heading = HEADING.exec(line);
    if (heading) {
      risks.push({ id: heading[1]!, title: heading[2]!.trim(), controls: [], tests: [], open: [], residual: false });
      continue;
    }
    if (!line.startsWith('- **')) continue;
    const risk = risks.at(-1);
    if (!risk) continue; // the format legend above the first risk
    let m: RegExpExecArray | null;
    if ((m = CONTROL.exec(line))) risk.controls.push({ path: m[1]!, symbol: m[2]! });
    else if ((m = TEST.exec(line))) risk.tests.push({ path: m[1]!, name: m[2]!.replace(/\\(.)/g, '$1') });
    else if ((m = OPEN.exec(line))) risk.open.push(m[1]!);
    else if (RESIDUAL.test(line)) risk.residual = true;
    else errors.push(`line ${index + 1}: not a Control, Test, Open or Residual line: ${line}`);
  }
  return { risks, errors };
}

/** Reads a repository file's text, or null when it does not exist. */
export type ReadRepoFile = (path: string) => string | null;

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The declaration of a test named `name` in a test file's text: its full title, or the start of a
 * title built with an interpolation (the matrix quotes the text before the first `${`).
 */
export function findTestDeclaration(source: string, name: string): TestDeclaration | null {
  return testDeclarations(source).find((d) => d.title === name || (d.partial && d.title === name)) ?? null;
}

/** Every reason the matrix is not true of the repository. */
export function checkMatrix(text: string, read: ReadRepoFile, requiredTitles: readonly string[]): string[] {
  const { risks, errors } = parseMatrix(text);
  const problems = [...errors];
  const ids = new Set<string>();
  for (const risk of risks) {
    if (ids.has(risk.id)) problems.push(`${risk.id}: two risks have this id`);
    ids.add(risk.id);
    if (risk.controls.length === 0 && risk.open.length === 0) problems.push(`${risk.id}: no control and no Open line`);
    if (risk.controls.length > 0 && risk.tests.length === 0) problems.push(`${risk.id}: controls without a test`);
    if (!risk.residual) problems.push(`${risk.id}: no Residual line`);
    for (const control of risk.controls) {
      const source = read(control.path);
      if (source === null) problems.push(`${risk.id}: control file ${control.path} does not exist`);
      else if (!new RegExp(`\\b(?:class|function|const|let|interface|type)\\s+${escape(control.symbol)}\\b`).test(source)) {
        problems.push(`${risk.id}: ${control.path} defines no ${control.symbol}`);
      }
    }
    for (const named of risk.tests) {
      const source = read(named.path);
      if (source === null) {
        problems.push(`${risk.id}: test file ${named.path} does not exist`);
        continue;
      }
      const declaration = findTestDeclaration(source, named.name);
      if (declaration === null) problems.push(`${risk.id}: ${named.path} declares no test "${named.name}"`);
      else if (declaration.skipped) problems.push(`${risk.id}: ${named.path} skips "${named.name}"`);
    }
  }
  for (const title of requiredTitles) {
    if (!risks.some((r) => r.title === title)) problems.push(`the study's FMEA row « ${title} » has no section`);
  }
  return problems;
}
