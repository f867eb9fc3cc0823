import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { HEAP_LIMIT_MB, MALLOC_ENV, nodeFlags } from './supervisor.ts';

const unit = (part: string) => readFileSync(resolve(import.meta.dirname, `../../image-build/systemd/vigie-${part}.service`), 'utf8');

test('each systemd unit runs the compiled box for its part with the node flags and allocator settings the supervisor gives that part', () => {
  for (const part of Object.keys(HEAP_LIMIT_MB) as (keyof typeof HEAP_LIMIT_MB)[]) {
    const text = unit(part);
    const exec = /^ExecStart=(.*)$/m.exec(text)?.[1];
    assert.equal(exec, `/usr/bin/node ${nodeFlags(part).join(' ')} /opt/vigie/appliance/dist/vigie-box.js ${part}`, `vigie-${part}.service`);
    assert.ok(nodeFlags(part).includes(`--max-old-space-size=${HEAP_LIMIT_MB[part]}`));
    for (const [name, value] of Object.entries(MALLOC_ENV)) assert.match(text, new RegExp(`^Environment=${name}=${value}$`, 'm'), `vigie-${part}.service: ${name}`);
  }
});
