import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import { defineRoute, trackRoutes, withDefaultAccess } from './route-access.ts';

test('refuses to start when a route has no access rule, naming it', async () => {
  const app = Fastify();
  trackRoutes(app);
  defineRoute(app, { method: 'GET', url: '/declared', access: { kind: 'public' }, handler: async () => ({}) });
  app.get('/forgotten', async () => ({}));
  await assert.rejects(async () => app.ready(), (err: Error & { code?: string }) => {
    assert.equal(err.code, 'PORTAL_ROUTE_WITHOUT_ACCESS');
    assert.match(err.message, /GET \/forgotten/);
    assert.doesNotMatch(err.message, /declared/);
    return true;
  });
});

test("gives a foreign plugin's routes the scope's rule, and keeps every route in the registry", async () => {
  const app = Fastify();
  trackRoutes(app);
  await withDefaultAccess(app, { kind: 'box' }, async (scope) => {
    scope.post('/ingest/x', async () => ({}));
  });
  await app.ready();
  const route = app.routeRegistry.find((r) => r.url === '/ingest/x');
  assert.deepEqual(route?.options.config?.access, { kind: 'box' });
  await app.close();
});
