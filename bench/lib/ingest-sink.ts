/**
 * The cloud side of `bench:alert`, run as its own process so that its database work never runs on
 * the bench's event loop (which hosts the modem emulator being timed): the real cloud-ingest
 * routes over HTTPS (the development CA in `--tls-dir`), on in-memory PGlite (or DATABASE_URL),
 * with one patient and one box. Prints one JSON line `{ url, boxId, token }` when listening, then
 * `{ stored }` (telemetry rows) on each `count` line read from stdin.
 */
import { createInterface } from 'node:readline';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Fastify from 'fastify';
import { ensureDevTls } from '@vigie/common/dev-tls';
import { ingestRoutes } from '@vigie/cloud-ingest';
import { createBox, createPatient, openTestDb } from '@vigie/cloud-store/testing';

const { values } = parseArgs({ options: { 'tls-dir': { type: 'string' }, 'box-id': { type: 'string', default: 'VB-BENCH-0001' } } });
const tls = await ensureDevTls(values['tls-dir']!);
const db = await openTestDb();
const patientId = await createPatient(db, 'Jeanne Dupont');
const box = await createBox(db, { boxId: values['box-id'], patientId, since: Date.now() - 2 * 365 * 86_400_000 });
const app = Fastify({ https: { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) } });
await app.register(ingestRoutes, { db });
const address = await app.listen({ host: '127.0.0.1', port: 0 });
console.log(JSON.stringify({ url: address.replace('127.0.0.1', 'localhost'), caFile: tls.caFile, boxId: box.boxId, token: box.token }));

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() !== 'count') return;
  void db.query<{ n: string }>('SELECT count(*)::text AS n FROM measurements').then(
    (r) => console.log(JSON.stringify({ stored: Number(r.rows[0]!.n) })),
    (err: unknown) => console.log(JSON.stringify({ error: String(err) })),
  );
});
process.stdin.on('end', () => {
  void app.close().then(() => db.close()).then(() => process.exit(0));
});
