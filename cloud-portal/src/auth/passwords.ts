import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/**
 * Argon2id (the library's default algorithm) with OWASP's baseline: 19 MiB, 2 passes, 1 lane.
 * ~20–50 ms per hash here: slow for a guesser, fine for a login.
 */
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

/** Hash a password for `accounts.password_hash` (PHC string `$argon2id$…`). */
export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

let dummyHash: Promise<string> | null = null;

/**
 * Check `password` against `storedHash`. With no stored hash (unknown email, disabled account)
 * a dummy hash is verified anyway, so the answer takes as long as for a real account and the
 * timing does not tell which emails exist.
 */
export async function verifyPassword(storedHash: string | null, password: string): Promise<boolean> {
  if (storedHash === null) {
    dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  try {
    return await verify(storedHash, password);
  } catch {
    // A malformed stored hash must fail closed, never throw a 500 that differs from a wrong password.
    return false;
  }
}
