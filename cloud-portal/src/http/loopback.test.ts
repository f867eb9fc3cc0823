import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLoopbackHost } from './loopback.ts';

test('counts localhost, 127.0.0.0/8 and ::1 as loopback, and every other listen address as remote', () => {
  for (const host of ['127.0.0.1', 'localhost', 'LOCALHOST', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1']) assert.equal(isLoopbackHost(host), true, host);
  for (const host of ['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'portal.example', '128.0.0.1', '127.0.0.1.example', '::ffff:10.0.0.1']) {
    assert.equal(isLoopbackHost(host), false, host);
  }
});
