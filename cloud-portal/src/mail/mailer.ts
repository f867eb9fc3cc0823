import { join } from 'node:path';
import { existsSync } from 'node:fs';
import nodemailer from 'nodemailer';
import { appendPrivateFile, dataPaths, type Logger } from '@vigie/common';
import type { CloudConfig } from '../config.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** How the portal sends e-mail (tests read the development capture). */
    mailer: Mailer;
  }
}

/** An e-mail the portal sends (reset, invitation). Text only: no tracking, no remote content. */
export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** A captured e-mail (development): what the demo page lists. */
export interface CapturedMail extends OutgoingMail {
  readonly at: number;
}

/** How the portal sends e-mail. */
export interface Mailer {
  /** `smtp` (VIGIE_SMTP_URL) or `capture` (development: kept in memory and in the data directory). */
  readonly kind: 'smtp' | 'capture';
  send(mail: OutgoingMail): Promise<void>;
  /** The captured e-mails, oldest first (capture only; SMTP answers an empty list). */
  captured(): readonly CapturedMail[];
}

/** The capture keeps the latest ones only. */
const MAX_CAPTURED = 200;

/**
 * SMTP through nodemailer when VIGIE_SMTP_URL is set; otherwise a local capture: nodemailer's JSON
 * transport builds the message (same code path as SMTP up to the wire), which is kept in memory
 * and appended to `<data>/cloud/mail.jsonl` when the data directory exists. Addresses are never
 * logged above debug.
 */
export function createMailer(config: CloudConfig, log: Logger): Mailer {
  const mailLog = log.child({ module: 'mail' });
  const from = config.VIGIE_MAIL_FROM;
  if (config.VIGIE_SMTP_URL) {
    const transport = nodemailer.createTransport(config.VIGIE_SMTP_URL);
    return {
      kind: 'smtp',
      async send(mail) {
        await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
        mailLog.info({ subject: mail.subject }, 'mail sent');
      },
      captured: () => [],
    };
  }
  const transport = nodemailer.createTransport({ jsonTransport: true });
  const captured: CapturedMail[] = [];
  const root = dataPaths(config.VIGIE_DATA_DIR).root;
  const file = join(root, 'cloud', 'mail.jsonl');
  return {
    kind: 'capture',
    async send(mail) {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
      const entry: CapturedMail = { ...mail, at: Date.now() };
      captured.push(entry);
      if (captured.length > MAX_CAPTURED) captured.shift();
      // Only under an existing data directory: tests point it at a path that must stay absent.
      if (existsSync(root)) {
        // Private (0600 in a 0700 folder): captured e-mails carry live reset and invitation links.
        await appendPrivateFile(file, `${JSON.stringify(entry)}\n`);
      }
      mailLog.info({ subject: mail.subject }, 'mail captured (development)');
    },
    captured: () => captured,
  };
}

/**
 * A mailer that holds e-mails until `flush()`: for e-mails written inside a database transaction,
 * sent only once it committed (a rolled-back invitation must not reach anyone).
 */
export function deferredMailer(mailer: Mailer): { mailer: Mailer; flush(): Promise<void> } {
  const held: OutgoingMail[] = [];
  return {
    mailer: { kind: mailer.kind, send: async (mail) => void held.push(mail), captured: () => mailer.captured() },
    async flush() {
      for (const mail of held.splice(0)) await mailer.send(mail);
    },
  };
}
