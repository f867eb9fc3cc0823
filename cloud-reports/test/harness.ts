/**
 * A reports service on a test database and an embedded s3rver (temp directory, port 0), with an
 * injected clock and no real waiting between attempts.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { openTestDb, type TestDb } from '@vigie/cloud-store/testing';
import { tempDir } from '@vigie/common/testing';
import { startEmbeddedS3, type EmbeddedS3 } from '../src/objects/embedded-s3.ts';
import { ReportObjectStore } from '../src/objects/object-store.ts';
import { ReportsService, type ReportsServiceOptions } from '../src/service/reports-service.ts';
import { DbReportQueue } from '../src/transport/db-queue.ts';
import type { ReportRequestTransport } from '../src/transport/port.ts';

/** 2026-12-08 01:00 UTC = 02:00 in Paris, the nightly pass's hour. */
export const NIGHT = Date.UTC(2026, 11, 8, 1, 0, 0);

export interface ReportsHarness {
  readonly db: TestDb;
  readonly s3: EmbeddedS3;
  readonly objects: ReportObjectStore;
  readonly queue: DbReportQueue;
  readonly clock: { now: number };
  readonly sleeps: number[];
  service(options?: Partial<ReportsServiceOptions> & { transport?: ReportRequestTransport }): ReportsService;
  close(): Promise<void>;
}

export async function reportsHarness(options: { db?: TestDb } = {}): Promise<ReportsHarness> {
  const db = options.db ?? (await openTestDb());
  const dir = tempDir('vigie-s3-');
  const s3 = await startEmbeddedS3({ directory: dir.path, bucket: 'vigie-reports' });
  const objects = new ReportObjectStore(s3.config);
  await objects.ensureBucket(7_305);
  const clock = { now: NIGHT };
  const sleeps: number[] = [];
  const queue = new DbReportQueue({ db, idleMs: 20 });
  const services: ReportsService[] = [];
  return {
    db,
    s3,
    objects,
    queue,
    clock,
    sleeps,
    service: (o = {}) => {
      const s = new ReportsService({
        db,
        objects,
        transport: queue,
        now: () => clock.now,
        sleep: async (ms) => void sleeps.push(ms),
        deletionSweepMs: 0,
        ...o,
      });
      services.push(s);
      return s;
    },
    async close() {
      for (const s of services) await s.stop();
      objects.close();
      await s3.stop();
      dir.cleanup();
      await db.close();
    },
  };
}

/** `pdftotext -enc UTF-8 -layout` of a PDF. */
export async function pdfText(pdf: Buffer): Promise<string> {
  const { writeFileSync, rmSync } = await import('node:fs');
  const dir = tempDir('vigie-pdf-');
  try {
    writeFileSync(`${dir.path}/r.pdf`, pdf);
    const { stdout } = await promisify(execFile)('pdftotext', ['-enc', 'UTF-8', '-layout', `${dir.path}/r.pdf`, '-'], { maxBuffer: 16 * 1024 * 1024 });
    rmSync(`${dir.path}/r.pdf`);
    return stdout;
  } finally {
    dir.cleanup();
  }
}

/** A stream's bytes. */
export async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}
