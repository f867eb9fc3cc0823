/**
 * `vigie-cloud [all|ingest|consumer|portal|migrate]`: the cloud process (roles in `roles.ts`).
 *
 * stdout carries only what other programs and people read: the demo accounts, then the line
 * `vigie-cloud listening on http://HOST:PORT` (launchers wait for it). Logs go to stderr.
 */
import { createLogger, restrictNewFiles, VigieError } from '@vigie/common';
import { loadKafkaConnection } from '@vigie/cloud-ingest';
import { loadCloudConfig, portalErrors, type DemoAccount } from '@vigie/cloud-portal';
import { parseArgs } from 'node:util';
import { openPgDb } from '@vigie/cloud-store';
import { anonymiseDatabase } from './anonymise/anonymise.ts';
import { checkRoles, openCloudDb, startCloud } from './server.ts';
import { CLOUD_ROLES, isCloudRole } from './roles.ts';

/** One-shot commands beside the long-running roles of {@link CLOUD_ROLES}. */
const COMMANDS = {
  migrate: 'apply database migrations and exit (run once per release, e.g. the Kubernetes Job)',
  anonymise: 'anonymise --from <production URL> --to <empty pre-production URL>: pseudonymised copy',
} as const;

const USAGE = `usage: vigie-cloud [role|command]

${[...Object.entries(CLOUD_ROLES).map(([name, role]) => [name, role.summary] as const), ...Object.entries(COMMANDS)]
  .map(([name, summary]) => `  ${name.padEnd(9)} ${summary}`)
  .join('\n')}

Every role but "all" runs alone in any number of instances on one PostgreSQL (DATABASE_URL) and waits
for "migrate" to have brought the database to its version (VIGIE_SCHEMA_WAIT_S, default 300).
Configuration is read from the environment: see cloud-portal/README.md and cloud-runtime/README.md.`;

function accountsTable(accounts: readonly DemoAccount[]): string {
  const rows = [['role', 'email', 'password', 'name'], ...accounts.map((a) => [a.role, a.email, a.password, a.displayName])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => `  ${r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`.trimEnd());
  return `Demo accounts (VIGIE_DEMO=1):\n${lines.join('\n')}\n`;
}

/** `vigie-cloud anonymise --from URL --to URL` (docs/anonymisation.md). */
async function anonymise(args: readonly string[]): Promise<number> {
  let from: string | undefined;
  let to: string | undefined;
  try {
    ({ values: { from, to } } = parseArgs({ args: [...args], options: { from: { type: 'string' }, to: { type: 'string' } }, strict: true }));
  } catch (err) {
    throw portalErrors.create('PORTAL_CLI_USAGE', { message: `${(err as Error).message}\n\n${USAGE}`, cause: err });
  }
  if (!from || !to || !/^postgres(ql)?:\/\//.test(from) || !/^postgres(ql)?:\/\//.test(to)) {
    throw portalErrors.create('PORTAL_CLI_USAGE', { message: 'anonymise needs --from <postgres:// URL of production> and --to <postgres:// URL of an empty pre-production database>' });
  }
  if (from === to) throw portalErrors.create('PORTAL_CLI_USAGE', { message: '--from and --to name the same database' });
  const log = createLogger('vigie-cloud', { level: process.env.LOG_LEVEL ?? 'info' });
  const source = await openPgDb({ connectionString: from, max: 2 });
  const target = await openPgDb({ connectionString: to, max: 2 });
  try {
    const report = await anonymiseDatabase(source, target, { log });
    process.stdout.write(`vigie-cloud: anonymised copy done (${Object.entries(report).map(([t, n]) => `${t} ${n}`).join(', ')})\n`);
    return 0;
  } finally {
    await source.close();
    await target.close();
  }
}

async function main(argv: readonly string[]): Promise<number> {
  // Whatever this process or its libraries create (PGlite's files, captured e-mails) is 0600/0700.
  restrictNewFiles();
  const command = argv[0] ?? 'all';
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command === 'anonymise') return anonymise(argv.slice(1));
  if (command !== 'migrate' && !isCloudRole(command)) {
    throw portalErrors.create('PORTAL_CLI_USAGE', { message: `Unknown command "${command}"\n\n${USAGE}` });
  }
  const config = loadCloudConfig();
  const log = createLogger('vigie-cloud', { level: config.LOG_LEVEL });

  if (command === 'migrate') {
    // Migrating is one process's job too on PGlite: same lock, same refusal when it is held.
    checkRoles(config, CLOUD_ROLES.all.http);
    const db = await openCloudDb(config, log);
    await db.close();
    process.stdout.write('vigie-cloud: database is up to date\n');
    return 0;
  }

  const role = CLOUD_ROLES[command];
  // KAFKA_BROKERS set: the roles that consume do (cloud-ingest/README.md, "Kafka").
  const kafka = role.kafka === 'no' ? null : loadKafkaConnection();
  if (role.kafka === 'required' && !kafka) {
    throw portalErrors.create('PORTAL_CLI_USAGE', { message: `vigie-cloud ${command} needs KAFKA_BROKERS (the brokers of the box topics)` });
  }
  const cloud = await startCloud({
    config,
    log,
    roles: role.http,
    kafka,
    fleetWatch: role.fleetWatch,
    migrations: role.migrations,
    services: role.services,
    reportRoles: role.reports,
    // Report requests travel on Kafka too when it is configured (vigie.report-requests).
    reportsKafka: loadKafkaConnection(),
  });
  if (cloud.demoAccounts.length > 0) process.stdout.write(accountsTable(cloud.demoAccounts));
  process.stdout.write(`vigie-cloud listening on ${cloud.url}${cloud.ingestUrl === cloud.url ? '' : ` (box ingest on ${cloud.ingestUrl})`}\n`);

  return new Promise<number>((resolve) => {
    const shutdown = (signal: NodeJS.Signals) => {
      log.info({ signal }, 'stopping');
      // A second signal while stopping means "now".
      process.once(signal, () => resolve(130));
      cloud.stop().then(
        () => resolve(0),
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', shutdown);
    process.once('SIGINT', shutdown);
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof VigieError) {
      process.stderr.write(`vigie-cloud: ${err.message} [${err.code}]\n`);
      process.exit(err.code === 'PORTAL_CLI_USAGE' || err.code === 'CONFIG_INVALID' || err.code === 'REPORT_S3_ENDPOINT_REQUIRED' ? 2 : 1);
    }
    process.stderr.write(`vigie-cloud: unexpected failure\n${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
