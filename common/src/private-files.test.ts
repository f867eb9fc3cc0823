import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  appendPrivateFile,
  appendPrivateFileSync,
  ensurePrivateDir,
  restrictNewFiles,
  restrictTree,
  touchPrivateFile,
  writePrivateFile,
} from './private-files.ts';
import { ensureDevTls } from './dev-tls.ts';

const modeOf = (path: string) => statSync(path).mode & 0o777;
let dir: string;
let umask: number;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigie-private-'));
  // The most permissive umask: the modes below must come from the helpers, not from the umask.
  umask = process.umask(0);
});
after(() => {
  process.umask(umask);
  rmSync(dir, { recursive: true, force: true });
});

test('creates data folders 0700 and files 0600 whatever the umask', async () => {
  writePrivateFile(join(dir, 'a', 'b', 'secret.key'), 'k');
  appendPrivateFileSync(join(dir, 'c', 'sms.jsonl'), '{}\n');
  await appendPrivateFile(join(dir, 'd', 'mail.jsonl'), '{}\n');
  touchPrivateFile(join(dir, 'e', 'box.db'));
  for (const folder of ['a', 'a/b', 'c', 'd', 'e']) assert.equal(modeOf(join(dir, folder)), 0o700, folder);
  for (const file of ['a/b/secret.key', 'c/sms.jsonl', 'd/mail.jsonl', 'e/box.db']) assert.equal(modeOf(join(dir, file)), 0o600, file);
});

test('tightens a folder and a file that already existed with loose modes, keeping their content', async () => {
  const folder = join(dir, 'loose');
  mkdirSync(folder, { mode: 0o755 });
  chmodSync(folder, 0o755);
  const file = join(folder, 'mail.jsonl');
  writeFileSync(file, 'first\n', { mode: 0o644 });
  chmodSync(file, 0o644);
  await appendPrivateFile(file, 'second\n');
  assert.equal(modeOf(folder), 0o700);
  assert.equal(modeOf(file), 0o600);
  assert.equal(readFileSync(file, 'utf8'), 'first\nsecond\n');
  ensurePrivateDir(folder);
  assert.equal(modeOf(folder), 0o700);
});

test('restrictTree makes every folder 0700 and every file 0600, and says how many it changed', () => {
  const root = join(dir, 'pgdata');
  mkdirSync(join(root, 'base', '1'), { recursive: true, mode: 0o755 });
  writeFileSync(join(root, 'PG_VERSION'), '18', { mode: 0o644 });
  writeFileSync(join(root, 'base', '1', '1259'), 'x', { mode: 0o666 });
  for (const p of [root, join(root, 'base'), join(root, 'base', '1')]) chmodSync(p, 0o755);
  chmodSync(join(root, 'base', '1', '1259'), 0o666);
  assert.equal(restrictTree(root), 5);
  for (const p of [root, join(root, 'base'), join(root, 'base', '1')]) assert.equal(modeOf(p), 0o700, p);
  for (const p of [join(root, 'PG_VERSION'), join(root, 'base', '1', '1259')]) assert.equal(modeOf(p), 0o600, p);
  assert.equal(restrictTree(root), 0, 'nothing left to change');
  assert.equal(restrictTree(join(dir, 'absent')), 0);
});

test('restrictNewFiles sets the umask so that files a library creates are 0600', () => {
  restrictNewFiles();
  try {
    const file = join(dir, 'library-file');
    writeFileSync(file, 'x');
    assert.equal(modeOf(file), 0o600);
    mkdirSync(join(dir, 'library-folder'));
    assert.equal(modeOf(join(dir, 'library-folder')), 0o700);
  } finally {
    process.umask(0);
  }
});

test('the development TLS private key is 0600 in a 0700 folder', async () => {
  const files = await ensureDevTls(join(dir, 'tls'));
  assert.equal(modeOf(join(dir, 'tls')), 0o700);
  assert.equal(modeOf(files.keyFile), 0o600);
});
