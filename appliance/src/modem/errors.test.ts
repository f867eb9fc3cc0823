import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { modemErrors } from './errors.ts';

test('documents every BOX_MODEM_ code with its cause and fix in docs/errors.md', () => {
  const page = readFileSync(resolve(import.meta.dirname, '../../../docs/errors.md'), 'utf8');
  const section = page.slice(page.indexOf('## appliance (box)'), page.indexOf('\n## ', page.indexOf('## appliance (box)') + 1));
  for (const code of Object.keys(modemErrors.codes)) {
    assert.match(section, new RegExp(`^\\| \`${code}\` \\| [^|]+ \\| [^|]+ \\|$`, 'm'), `${code} is not in the appliance section of docs/errors.md`);
  }
});
