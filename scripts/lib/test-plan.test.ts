import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DATABASE_ENTRY, testsUsingDatabase } from './test-plan.ts';

const root = resolve(import.meta.dirname, '../..');

test('the file through which databases are opened exists (the plan follows imports to it)', () => {
  assert.ok(existsSync(join(root, DATABASE_ENTRY)), `${DATABASE_ENTRY} moved: update DATABASE_ENTRY`);
});

test('the plan keeps the tests that open a database, directly, through a workspace, or as a child process, and drops the others', () => {
  const files = [
    'cloud-store/src/db/db-contract.test.ts', // imports the store's testing helpers
    'test/e2e/fall-to-portal.test.ts', // starts the whole cloud through @vigie/* imports
    'cloud-runtime/test/cli.test.ts', // runs vigie-cloud as a child process, naming the database variable
    'protocol/src/ndjson.test.ts', // pure protocol code
    'appliance/src/modem/gsm7.test.ts', // the box
  ];
  for (const file of files) assert.ok(existsSync(join(root, file)), `${file} moved: pick another example`);
  assert.deepEqual(testsUsingDatabase(root, files), files.slice(0, 3));
});
