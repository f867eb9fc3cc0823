/**
 * `npm run report -- --patient <id> --from YYYY-MM-DD --to YYYY-MM-DD --out report.pdf [--locale fr|en]`:
 * render one patient's report locally, from the cloud's database (DATABASE_URL, else the embedded
 * PGlite directory under VIGIE_DATA_DIR; stop `npm start` first: one process per PGlite
 * directory). `--to` is exclusive (a week from Monday 30/11: --from 2026-11-30 --to 2026-12-07).
 * Nothing is stored and no request is recorded: what support and developers use to look at one.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openDb } from '@vigie/cloud-store';
import { dataPaths, VigieError } from '@vigie/common';
import { parisToday, periodProblem } from '@vigie/protocol';
import { reportErrors } from '../src/errors.ts';
import { readReportData, UnknownPatientError } from '../src/render/report-reader.ts';
import { renderReportPdf } from '../src/render/report-pdf.ts';

const USAGE = 'usage: npm run report -- --patient <uuid> --from YYYY-MM-DD --to YYYY-MM-DD --out report.pdf [--locale fr|en]';

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: { patient: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, out: { type: 'string' }, locale: { type: 'string' } },
      strict: true,
    }));
  } catch (err) {
    throw reportErrors.create('REPORT_CLI_USAGE', { message: `${(err as Error).message}\n${USAGE}` });
  }
  const missing = (['patient', 'from', 'to', 'out'] as const).filter((k) => !values[k]);
  if (missing.length > 0) throw reportErrors.create('REPORT_CLI_USAGE', { message: `missing --${missing.join(', --')}\n${USAGE}` });
  if (values.locale !== undefined && values.locale !== 'fr' && values.locale !== 'en') throw reportErrors.create('REPORT_CLI_USAGE', { message: `--locale must be fr or en\n${USAGE}` });
  if (!/^[0-9a-f-]{36}$/.test(values.patient!)) throw reportErrors.create('REPORT_CLI_USAGE', { message: `--patient must be a patient id (UUID)\n${USAGE}` });
  const problem = periodProblem({ from: values.from!, to: values.to! }, parisToday(Date.now()));
  if (problem) throw reportErrors.create('REPORT_PERIOD_INVALID', { message: `--${problem.field} ${problem.message}` });
  const db = await openDb({ databaseUrl: process.env.DATABASE_URL, pgliteDir: dataPaths().cloudPgData });
  try {
    const data = await readReportData(db, { patientId: values.patient!, from: values.from!, to: values.to!, requestedAt: Date.now(), requestedBy: null }).catch((err: unknown) => {
      if (err instanceof UnknownPatientError) throw reportErrors.create('REPORT_UNKNOWN_PATIENT', { message: `no patient ${values.patient} (or erased)` });
      throw err;
    });
    const { pdf, pages } = await renderReportPdf(values.locale ? { ...data, locale: values.locale as 'fr' | 'en' } : data);
    writeFileSync(values.out!, pdf, { mode: 0o600 });
    process.stdout.write(`${values.out}: ${pages} page(s), ${pdf.length} bytes\n`);
  } finally {
    await db.close();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof VigieError) {
      process.stderr.write(`report: ${err.message} [${err.code}]\n`);
      process.exit(2);
    }
    process.stderr.write(`report: unexpected failure\n${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
