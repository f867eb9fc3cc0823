/**
 * The benchmark guard (bench/lib/results.ts) in a real git repository of its own: a copy of the
 * module and a one-line benchmark, committed, then run clean, dirty, and dirty with --allow-dirty.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@vigie/common/testing';

function repoWithBenchmark(): { path: string; cleanup: () => void; commit: string; run: (...args: string[]) => ReturnType<typeof spawnSync> } {
  const dir = tempDir('vigie-bench-guard-');
  mkdirSync(join(dir.path, 'bench', 'lib'), { recursive: true });
  copyFileSync(join(import.meta.dirname, 'results.ts'), join(dir.path, 'bench', 'lib', 'results.ts'));
  // A benchmark with a strict parseArgs, as the real ones have: --allow-dirty must not reach it.
  writeFileSync(
    join(dir.path, 'bench', 'tiny.ts'),
    "import { parseArgs } from 'node:util';\nimport { recordResults } from './lib/results.ts';\n" +
      "const { values } = parseArgs({ options: { rounds: { type: 'string', default: '1' } } });\n" +
      "console.log(`recorded in ${recordResults('tiny', { rounds: Number(values.rounds) })}`);\n",
  );
  writeFileSync(join(dir.path, 'tracked.txt'), 'one\n');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir.path, encoding: 'utf8' }).trim();
  git('init', '-q');
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'bench');
  const env = { ...process.env };
  delete env.VIGIE_BENCH_ALLOW_DIRTY;
  return {
    ...dir,
    commit: git('rev-parse', '--short', 'HEAD'),
    // tsx from this checkout: the temporary repository has no node_modules.
    run: (...args) => spawnSync(process.execPath, ['--import', import.meta.resolve('tsx'), 'bench/tiny.ts', ...args], { cwd: dir.path, encoding: 'utf8', env }),
  };
}

const recorded = (dir: string) => {
  const [file] = readdirSync(join(dir, 'bench', 'results'));
  return JSON.parse(readFileSync(join(dir, 'bench', 'results', file!), 'utf8')) as { commit: string; dirty: boolean; rounds: number };
};

test('a benchmark on a clean tree records the commit it measured', () => {
  const repo = repoWithBenchmark();
  try {
    const result = repo.run('--rounds', '3');
    assert.equal(result.status, 0, String(result.stderr));
    const figures = recorded(repo.path);
    assert.equal(figures.commit, repo.commit);
    assert.equal(figures.dirty, false);
    assert.equal(figures.rounds, 3);
  } finally {
    repo.cleanup();
  }
});

test('a benchmark refuses a tree with uncommitted changes to tracked files, naming them, and records nothing', () => {
  const repo = repoWithBenchmark();
  try {
    writeFileSync(join(repo.path, 'tracked.txt'), 'two\n');
    // An untracked file alone would not count; the tracked change does.
    writeFileSync(join(repo.path, 'untracked.txt'), 'x\n');
    const result = repo.run();
    assert.equal(result.status, 3);
    assert.match(String(result.stderr), /Refusing to benchmark a tree with uncommitted changes/);
    assert.match(String(result.stderr), /tracked\.txt/);
    assert.doesNotMatch(String(result.stderr), /untracked\.txt/);
    assert.throws(() => readdirSync(join(repo.path, 'bench', 'results')), { code: 'ENOENT' });
  } finally {
    repo.cleanup();
  }
});

test('with --allow-dirty a benchmark runs on a dirty tree and marks its result dirty', () => {
  const repo = repoWithBenchmark();
  try {
    writeFileSync(join(repo.path, 'tracked.txt'), 'two\n');
    const result = repo.run('--allow-dirty', '--rounds', '2');
    assert.equal(result.status, 0, String(result.stderr));
    const figures = recorded(repo.path);
    assert.equal(figures.commit, `${repo.commit}-dirty`);
    assert.equal(figures.dirty, true);
    assert.equal(figures.rounds, 2);
  } finally {
    repo.cleanup();
  }
});

test('results recorded by an earlier benchmark, not yet committed, do not make the tree dirty', () => {
  const repo = repoWithBenchmark();
  try {
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: repo.path, encoding: 'utf8' });
    assert.equal(repo.run().status, 0);
    git('add', 'bench/results');
    git('commit', '-qm', 'results');
    const commit = git('rev-parse', '--short', 'HEAD').trim();
    // A second benchmark of the series overwrites the committed result: still the same code.
    const second = repo.run('--rounds', '2');
    assert.equal(second.status, 0, String(second.stderr));
    const figures = recorded(repo.path);
    assert.equal(figures.commit, commit);
    assert.equal(figures.dirty, false);
  } finally {
    repo.cleanup();
  }
});
