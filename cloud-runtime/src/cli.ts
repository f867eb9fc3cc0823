/**
 * `vigie-cloud [all|ingest|portal|migrate]`: the cloud process.
 *
 * stdout carries only what other programs and people read: the demo accounts, then the line
 * `vigie-cloud listening on http://HOST:PORT` (launchers wait for it). Logs go to stderr.
 */
import { createLogger, restrictNewFiles, VigieError } from '@vigie/common';
import { loadKafkaConnection } from '@vigie/cloud-ingest';
import { loadCloudConfig, portalErrors, type DemoAccount } from '@vigie/cloud-portal';
import { checkRoles, openCloudDb, startCloud } from './server.ts';

const USAGE = `usage: vigie-cloud [command]

  all       ingest + portal + updates in one process (default)
  ingest    the box-facing ingest only (needs DATABASE_URL)
  portal    the portal API and web front end only (needs DATABASE_URL)
  updates   the update service's box routes and rollout only (needs DATABASE_URL)
  migrate   apply database migrations and exit

Configuration is read from the environment: see cloud-portal/README.md and cloud-runtime/README.md.`;

const ROLES = {
  all: { ingest: true, portal: true, updates: true },
  ingest: { ingest: true, portal: false, updates: false },
  portal: { ingest: false, portal: true, updates: false },
  updates: { ingest: false, portal: false, updates: true },
} as const;

function accountsTable(accounts: readonly DemoAccount[]): string {
  const rows = [['role', 'email', 'password', 'name'], ...accounts.map((a) => [a.role, a.email, a.password, a.displayName])];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => `  ${r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`.trimEnd());
  return `Demo accounts (VIGIE_DEMO=1):\n${lines.join('\n')}\n`;
}

async function main(argv: readonly string[]): Promise<number> {
  // Whatever this process or its libraries create (PGlite's files, captured e-mails) is 0600/0700.
  restrictNewFiles();
  const command = argv[0] ?? 'all';
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command !== 'migrate' && !(command in ROLES)) {
    throw portalErrors.create('PORTAL_CLI_USAGE', { message: `Unknown command "${command}"\n\n${USAGE}` });
  }
  const config = loadCloudConfig();
  const log = createLogger('vigie-cloud', { level: config.LOG_LEVEL });

  if (command === 'migrate') {
    // Migrating is one process's job too on PGlite: same lock, same refusal when it is held.
    checkRoles(config, ROLES.all);
    const db = await openCloudDb(config, log);
    await db.close();
    process.stdout.write('vigie-cloud: database is up to date\n');
    return 0;
  }

  const roles = ROLES[command as keyof typeof ROLES];
  // KAFKA_BROKERS set: the ingest role also consumes the box topics (cloud-ingest/README.md, "Kafka").
  const kafka = roles.ingest ? loadKafkaConnection() : null;
  const cloud = await startCloud({ config, log, roles, kafka });
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
      process.exit(err.code === 'PORTAL_CLI_USAGE' || err.code === 'CONFIG_INVALID' ? 2 : 1);
    }
    process.stderr.write(`vigie-cloud: unexpected failure\n${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  },
);
