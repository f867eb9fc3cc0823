import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topicFilters, topics } from '@vigie/protocol';
import { silentLogger } from '@vigie/common';
import { filterCovers, mayPublish, maySubscribe } from './bus-acl.ts';
import { LocalBroker } from './local-broker.ts';

test('only the BLE bridge publishes bracelet readings and events, only the telemetry process publishes commands', () => {
  const event = topics.event('BR-1');
  const command = topics.command('c0ffee00-0000-4000-8000-000000000000');
  assert.deepEqual(
    (['ble', 'safety', 'telemetry', 'screen', 'tools'] as const).filter((c) => mayPublish(c, event)),
    ['ble'],
  );
  assert.deepEqual(
    (['ble', 'safety', 'telemetry', 'screen', 'tools'] as const).filter((c) => mayPublish(c, command)),
    ['telemetry'],
  );
  assert.equal(mayPublish('safety', topics.commandResult('x')), true);
  assert.equal(mayPublish('telemetry', topics.commandResult('x')), false, 'a command result is the safety core’s word');
});

test('the screen and tools never publish; wildcards are never a published topic', () => {
  for (const topic of [topics.alert('a'), topics.modemStatus(), topics.uplinkStatus(), topics.configApplied()]) {
    assert.equal(mayPublish('screen', topic), false, topic);
    assert.equal(mayPublish('tools', topic), false, topic);
  }
  assert.equal(mayPublish('ble', 'vigie/v1/bracelet/+/event'), false);
  assert.equal(mayPublish('ble', 'vigie/v1/bracelet/#'), false);
});

test('a subscription is granted only when the grant covers all of it', () => {
  assert.equal(maySubscribe('screen', topicFilters.alerts), true);
  assert.equal(maySubscribe('screen', topicFilters.commands), false);
  assert.equal(maySubscribe('screen', 'vigie/v1/#'), false, 'not narrowed: refused');
  assert.equal(maySubscribe('telemetry', topicFilters.commands), false, 'the downlink publishes commands, it does not listen to them');
  assert.equal(maySubscribe('tools', 'vigie/v1/#'), true);
  assert.equal(maySubscribe('tools', '#'), false, 'nothing outside the versioned topics ($SYS…)');
  assert.equal(filterCovers('a/+/c', 'a/b/c'), true);
  assert.equal(filterCovers('a/+/c', 'a/+/c'), true);
  assert.equal(filterCovers('a/b/c', 'a/+/c'), false);
  assert.equal(filterCovers('a/#', 'a/b/#'), true);
  assert.equal(filterCovers('a/+', 'a/#'), false);
  assert.equal(filterCovers('a/+', 'a/b/c'), false);
});

test('the local broker refuses to listen beyond loopback', () => {
  const credentials = () => ({ safety: 'a', ble: 'b', telemetry: 'c', screen: 'd', update: 'f', tools: 'e' });
  for (const host of ['0.0.0.0', '::', '192.168.1.10']) {
    assert.throws(() => new LocalBroker({ host, port: 0, log: silentLogger(), credentials }), /loopback only/, host);
  }
  assert.doesNotThrow(() => new LocalBroker({ host: '127.0.0.1', port: 0, log: silentLogger(), credentials }));
});
