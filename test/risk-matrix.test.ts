/**
 * The risk traceability matrix (`docs/risks/README.md`, issue 18) stays true: every control and test
 * it names exists, no named test is skipped, and every FMEA row of the study has its section.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { checkMatrix, findTestDeclaration, parseMatrix, type ReadRepoFile } from './risk-matrix/check.ts';

const root = resolve(import.meta.dirname, '..');
const readRepo: ReadRepoFile = (path) => {
  const full = join(root, path);
  return existsSync(full) ? readFileSync(full, 'utf8') : null;
};

/** The eleven rows of the study's FMEA (architecture-study-fr.txt §4), as the study titles them. */
const STUDY_FMEA = [
  'Perte de données médicales',
  'Altération/ corruption de données',
  'Fuite de données (Data breach)',
  'Erreur de valeur des données mesurées (valeurs aberrantes)',
  'Perte temporaire de connectivité',
  "Mauvaise gestion des droits d'accès",
  'Retard de traitement des données critiques',
  'Mauvaise manipulation admin (suppression)',
  'Mise à jour logicielle incomplète (boîtier/bracelet)',
  'Non-conformité RGPD (durée de rétention)',
  'Mauvais chiffrement des données en transit',
];

const matrix = readFileSync(join(root, 'docs/risks/README.md'), 'utf8');

test('the risk matrix names only controls and tests that exist, skips none, and covers every FMEA row of the study', () => {
  assert.deepEqual(checkMatrix(matrix, readRepo, STUDY_FMEA), []);
  const { risks } = parseMatrix(matrix);
  assert.equal(risks.filter((r) => r.id.startsWith('R')).length, STUDY_FMEA.length);
  assert.ok(risks.every((r) => r.tests.length + r.open.length > 0));
});

test('the matrix check fails when a named test is removed, renamed or skipped, or a control or an FMEA row is missing', () => {
  const fixture = [
    '### R1 · Perte de données médicales',
    '- **Control** `src/buffer.ts` `ReadingBuffer` — keeps readings.',
    '- **Test** `src/buffer.test.ts` › "resends a batch"',
    '- **Test** `src/buffer.test.ts` › "keeps alerts"',
    '- **Residual** — some.',
  ].join('\n');
  const files: Record<string, string> = {
    'src/buffer.ts': 'export class ReadingBuffer {}\n',
    'src/buffer.test.ts': "test('resends a batch', () => {});\ntest('keeps alerts', () => {});\n",
  };
  const reader = (overrides: Record<string, string | null>): ReadRepoFile => (path) => (path in overrides ? overrides[path]! : (files[path] ?? null));
  assert.deepEqual(checkMatrix(fixture, reader({}), ['Perte de données médicales']), []);

  // The named test removed from its file.
  assert.deepEqual(checkMatrix(fixture, reader({ 'src/buffer.test.ts': "test('resends a batch', () => {});\n" }), []), [
    'R1: src/buffer.test.ts declares no test "keeps alerts"',
  ]);
  // Its file deleted.
  assert.deepEqual(checkMatrix(fixture, reader({ 'src/buffer.test.ts': null }), []), [
    'R1: test file src/buffer.test.ts does not exist',
    'R1: test file src/buffer.test.ts does not exist',
  ]);
  // Skipped.
  assert.deepEqual(checkMatrix(fixture, reader({ 'src/buffer.test.ts': "test('resends a batch', () => {});\ntest.skip('keeps alerts', () => {});\n" }), []), [
    'R1: src/buffer.test.ts skips "keeps alerts"',
  ]);
  // The control's symbol gone, and an FMEA row without a section.
  assert.deepEqual(checkMatrix(fixture, reader({ 'src/buffer.ts': 'export class Other {}\n' }), ['Perte de données médicales', 'Fuite de données (Data breach)']), [
    'R1: src/buffer.ts defines no ReadingBuffer',
    'the study\'s FMEA row « Fuite de données (Data breach) » has no section',
  ]);
  // A malformed line is reported, not ignored.
  assert.deepEqual(parseMatrix(`${fixture}\n- **Tset** \`x\``).errors, ['line 6: not a Control, Test, Open or Residual line: - **Tset** `x`']);
});

test('a test declaration is found by its full name or the start of an interpolated name; skip and todo are seen', () => {
  const source = "test('plain', () => {});\n  test(`kill -9 during ${N} alerts`, async () => {});\ntest('tool', { skip }, () => {});\ntest.todo('later');\ntest('off', { skip: true }, () => {});\n";
  assert.ok(findTestDeclaration(source, 'plain'));
  assert.equal(findTestDeclaration(source, 'pla'), null); // a full title is quoted in full
  assert.ok(findTestDeclaration(source, 'kill -9 during '));
  assert.equal(findTestDeclaration(source, 'absent'), null);
  assert.equal(findTestDeclaration(source, 'tool')!.skipped, false); // skipUnlessTool never skips in CI
  assert.equal(findTestDeclaration(source, 'later')!.skipped, true);
  assert.equal(findTestDeclaration(source, 'off')!.skipped, true);
});
