import { createHash, randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';

/** RFC 6238 defaults, the ones every authenticator app supports. */
const PERIOD_S = 30;
const ISSUER = 'Vigie';

function totpOf(secretBase32: string, label: string): TOTP {
  return new TOTP({ issuer: ISSUER, label, algorithm: 'SHA1', digits: 6, period: PERIOD_S, secret: Secret.fromBase32(secretBase32) });
}

/** A fresh 160-bit secret (base32), its `otpauth://` URI and the URI as a QR code (PNG data URL). */
export async function newEnrolment(label: string): Promise<{ secret: string; uri: string; qr: string }> {
  const secret = new Secret({ size: 20 }).base32;
  const uri = totpOf(secret, label).toString();
  return { secret, uri, qr: await QRCode.toDataURL(uri) };
}

/**
 * The time step a 6-digit `code` is valid for (the current step ±1 for clock drift), or null.
 * A step at or before `lastStep` is refused: a code cannot be replayed.
 */
export function verifyTotp(secretBase32: string, code: string, now: number, lastStep: number | null): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpOf(secretBase32, 'x').validate({ token: code, timestamp: now, window: 1 });
  if (delta === null) return null;
  const step = Math.floor(now / 1000 / PERIOD_S) + delta;
  return lastStep !== null && step <= lastStep ? null : step;
}

/** The current code (tests and the demo). */
export function totpCode(secretBase32: string, now: number): string {
  return totpOf(secretBase32, 'x').generate({ timestamp: now });
}

/** Ten one-time recovery codes, `xxxxx-xxxxx` (lower-case base32), shown once. */
export function newRecoveryCodes(): string[] {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz234567';
  return Array.from({ length: 10 }, () => {
    const bytes = randomBytes(10);
    const chars = [...bytes].map((b) => alphabet[b % 32]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/**
 * How a recovery code is stored. sha256 is enough: the codes are 50 random bits, one-time, and
 * only tried after the password (a slow hash would add nothing a guesser could exploit).
 */
export function hashRecoveryCode(code: string): string {
  return createHash('sha256').update(code.trim().toLowerCase()).digest('hex');
}
