import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, passwordProblem, type PasswordProblem } from './passwords.ts';

const jeanne = { email: 'jeanne.dupont@example.fr', displayName: 'Jeanne Dupont' };

/** The policy's table (NIST SP 800-63B §3.1.1.2): each password and what it gets. */
const CASES: ReadonlyArray<readonly [string, PasswordProblem | null]> = [
  ['aaaaaaaaaa', 'too_short'], // the finding: ten a's were accepted
  ['Tr0ub4dor&3', 'too_short'],
  ['aaaaaaaaaaaa', 'repetitive'],
  ['abababababab', 'repetitive'],
  ['123456789012', 'common'],
  ['abcdefghijklm', 'repetitive'],
  ['password1234', 'common'],
  ['PASSWORD1234', 'common'],
  ['qwertyuiop123', 'common'],
  ['1qaz2wsx3edc', 'common'],
  ['jeanne.dupont@example.fr', 'personal'], // the finding: the e-mail itself was accepted
  ['JEANNE.DUPONT@EXAMPLE.FR', 'personal'],
  ['jeanne.dupont-2026', 'personal'],
  ['Jeanne Dupont 1938', 'personal'],
  ['jeannedupont!!', 'personal'],
  ['dupont12345678', 'personal'],
  ['correct horse battery staple', null],
  ['mot-de-passe-nadia', null],
  ['été à la plage 2026', null], // accents and spaces are characters like any other
  ['🐘🐘🦒🦒🐢🐢🐇🐇🐌🐌🦔🦔', null], // 12 characters (code points), whatever their bytes
  ['🐘🐘🦒🦒🐢🐢🐇🐇🐌🐌🦔', 'too_short'],
  ['x'.repeat(PASSWORD_MAX_LENGTH - 2) + 'yz', null],
  ['xy'.repeat(PASSWORD_MAX_LENGTH), 'too_long'],
];

test('refuses short, common, repetitive and personal passwords and accepts long unusual ones of any script', async () => {
  assert.equal(PASSWORD_MIN_LENGTH, 12);
  assert.ok(PASSWORD_MAX_LENGTH >= 64);
  for (const [password, expected] of CASES) assert.equal(await passwordProblem(password, jeanne), expected, password);
});

test('ships a list of at least 10,000 common and breached passwords', async () => {
  const { dictionary } = await import('@zxcvbn-ts/language-common');
  const list = dictionary['passwords-common'] as unknown as string[];
  assert.ok(list.length >= 10_000, `${list.length} entries`);
  // Every long-enough entry is refused, case aside.
  for (const entry of list.filter((p) => [...p].length >= PASSWORD_MIN_LENGTH).slice(0, 200)) {
    assert.equal(await passwordProblem(entry.toUpperCase(), jeanne), 'common', entry);
  }
});
