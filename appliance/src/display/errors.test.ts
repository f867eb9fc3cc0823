import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { displayErrors } from './errors.ts';

test('documents every BOX_DISPLAY_ code with its cause and fix in docs/errors.md', () => {
  const page = readFileSync(resolve(import.meta.dirname, '../../../docs/errors.md'), 'utf8');
  const start = page.indexOf('## appliance (box)');
  const section = page.slice(start, page.indexOf('\n## ', start + 1));
  for (const code of Object.keys(displayErrors.codes)) {
    assert.match(section, new RegExp(`^\\| \`${code}\` \\| [^|]+ \\| [^|]+ \\|$`, 'm'), `${code} is not in the appliance section of docs/errors.md`);
  }
});
