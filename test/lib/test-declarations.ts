/**
 * The tests a test file declares, read from its text: `test(…)`, `it(…)` and `describe(…)` calls whose
 * first argument is a string literal. Used by the checks that keep documents true to the tests they
 * cite (`test/security-docs.test.ts`, `test/risk-matrix.test.ts`).
 */

export interface TestDeclaration {
  /** The title, unescaped; for a template literal with an interpolation, the text before it. */
  readonly title: string;
  /** True when the title is only the start of a template literal cut at its first `${`. */
  readonly partial: boolean;
  /** `test.skip(`, `test.todo(`, `{ skip: true }` or `{ todo: … }`: CI would not run it. */
  readonly skipped: boolean;
  /** The text from the call to the end of its line (options follow the title there). */
  readonly line: string;
}

const CALL = /\b(test|it|describe)(\.(?:skip|only|todo))?\(\s*(?:'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\$]|\\.)*)(`|\$\{))/g;

export function testDeclarations(source: string): TestDeclaration[] {
  const found: TestDeclaration[] = [];
  for (const m of source.matchAll(CALL)) {
    const raw = m[3] ?? m[4] ?? m[5]!;
    const end = source.indexOf('\n', m.index);
    const line = source.slice(m.index, end < 0 ? undefined : end);
    const skipped = m[2] === '.skip' || m[2] === '.todo' || /\bskip:\s*true\b|\btodo:\s*(?:true|['"`])/.test(line);
    found.push({ title: raw.replace(/\\(.)/g, '$1'), partial: m[6] === '${', skipped, line });
  }
  return found;
}
