import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Fields that must never reach a log in clear: credentials, phone numbers, message bodies.
 * Medical values are simply never passed to a logger above debug level (house rule), this list is
 * the safety net for the fields that could carry identifying data.
 */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'phone',
  '*.phone',
  'msisdn',
  '*.msisdn',
  'recipient',
  '*.recipient',
  'text',
  '*.text',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
] as const;

/**
 * The root logger of a process. `name` is the program (`vigie-box`, `vigie-cloud`…); modules take
 * `log.child({ module: 'modem' })`. Level from `LOG_LEVEL` (default `info`; `silent` in tests).
 */
export function createLogger(name: string, options: LoggerOptions = {}, destination?: pino.DestinationStream): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? (process.env.NODE_TEST_CONTEXT ? 'silent' : 'info');
  return pino(
    {
      name,
      level,
      redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' },
      ...options,
    },
    destination ?? pino.destination({ dest: 2, sync: true }),
  );
}

/** A logger that drops everything (for unit tests and library defaults). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
