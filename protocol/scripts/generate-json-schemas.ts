/**
 * `npm run gen:schemas`: write `protocol/json-schema/<Name>.v<version>.schema.json` from the TypeBox
 * schemas, and remove generated files no message produces any more. Commit the result;
 * `protocol/src/json-schema.test.ts` fails when the files drift from the schemas.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { JSON_SCHEMA_DIR, renderJsonSchemas } from '../src/json-schema.ts';

const files = renderJsonSchemas();
mkdirSync(JSON_SCHEMA_DIR, { recursive: true });
for (const [name, text] of files) {
  writeFileSync(join(JSON_SCHEMA_DIR, name), text);
  console.log(`wrote ${relative(process.cwd(), join(JSON_SCHEMA_DIR, name))}`);
}
for (const name of readdirSync(JSON_SCHEMA_DIR)) {
  if (name.endsWith('.schema.json') && !files.has(name)) {
    rmSync(join(JSON_SCHEMA_DIR, name));
    console.log(`removed ${name} (no message produces it any more)`);
  }
}
