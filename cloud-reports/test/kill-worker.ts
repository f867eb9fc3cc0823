/**
 * A reports service as its own process, for the kill -9 test (`kill-9.test.ts`): the database
 * queue, two workers, the object store at VIGIE_TEST_S3 (JSON config). Exits 0 once the queue is
 * empty. Database: DATABASE_URL, else the PGlite directory VIGIE_TEST_PGLITE_DIR.
 */
import { openDb } from '@vigie/cloud-store';
import { ReportObjectStore } from '../src/objects/object-store.ts';
import { ReportsService } from '../src/service/reports-service.ts';
import { DbReportQueue } from '../src/transport/db-queue.ts';

const db = await openDb({ databaseUrl: process.env.DATABASE_URL, pgliteDir: process.env.VIGIE_TEST_PGLITE_DIR! });
const objects = new ReportObjectStore(JSON.parse(process.env.VIGIE_TEST_S3!));
// A short lease: rows a killed worker held come back quickly to the next process.
const queue = new DbReportQueue({ db, workers: 2, idleMs: 50, lockMs: 2_000 });
const service = new ReportsService({ db, objects, transport: queue, now: () => Number(process.env.VIGIE_TEST_NOW), deletionSweepMs: 0 });
await service.start();
process.stdout.write('started\n');
for (;;) {
  await new Promise((r) => setTimeout(r, 200));
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM report_queue');
  if (rows[0]!.n === 0) break;
}
await service.stop();
objects.close();
await db.close();
process.exit(0);
