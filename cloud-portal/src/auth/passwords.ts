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

/** NIST SP 800-63B §3.1.1.2: at least 15 without MFA, 8 with; we ask 12 of everyone, and take 64+. */
export const PASSWORD_MIN_LENGTH = 12;
/** Longest password accepted (characters): far above NIST's 64, short enough to hash cheaply. */
export const PASSWORD_MAX_LENGTH = 256;

/** Why a new password is refused (`PORTAL_PASSWORD_REJECTED`, `reason`). */
export type PasswordProblem = 'too_short' | 'too_long' | 'common' | 'personal' | 'repetitive';

let commonPasswords: ReadonlySet<string> | null = null;

/**
 * The list of common and breached passwords: zxcvbn-ts's `passwords-common` dictionary (about
 * 49,000 entries ranked from breach corpora, MIT, npm `@zxcvbn-ts/language-common`). Loaded once,
 * on first use, lower-cased.
 */
async function commonPasswordSet(): Promise<ReadonlySet<string>> {
  if (commonPasswords) return commonPasswords;
  const { dictionary } = await import('@zxcvbn-ts/language-common');
  const list = dictionary['passwords-common'] as unknown as readonly string[];
  commonPasswords = new Set(list.map((p) => p.toLowerCase()));
  return commonPasswords;
}

/** Letters and digits only, lower-case, accents off: "Jeanne-Dupont" and "jeannedupont" compare equal. */
function folded(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/** "aaaaaaaaaaaa", "abababababab", "123456789012", "abcdefghijkl", "zyxwvutsrqpo": no real choice. */
function isRepetitiveOrSequential(password: string): boolean {
  const chars = [...password];
  if (new Set(chars).size <= 2) return true;
  const codes = chars.map((c) => c.codePointAt(0)!);
  const steps = new Set(codes.slice(1).map((c, i) => c - codes[i]!));
  return steps.size === 1 && [...steps].every((s) => Math.abs(s) <= 1);
}

/**
 * Check a password someone chooses against the policy after NIST SP 800-63B §3.1.1.2: length in
 * characters (Unicode code points after NFC, every character allowed, spaces included) from
 * {@link PASSWORD_MIN_LENGTH} to {@link PASSWORD_MAX_LENGTH}; not in the list of common and
 * breached passwords (case-insensitive); not repetitive or sequential; not the account's e-mail,
 * its local part or the person's name, nor containing them (context-specific words; skipped when
 * `person` is null). No
 * composition rules and no expiry, as NIST advises. Answers the first problem, or null.
 */
export async function passwordProblem(password: string, person: { readonly email: string; readonly displayName: string } | null): Promise<PasswordProblem | null> {
  const length = [...password.normalize('NFC')].length;
  if (length < PASSWORD_MIN_LENGTH) return 'too_short';
  if (length > PASSWORD_MAX_LENGTH) return 'too_long';
  const lower = password.toLowerCase();
  const common = await commonPasswordSet();
  if (common.has(lower) || common.has(lower.trim())) return 'common';
  if (isRepetitiveOrSequential(password)) return 'repetitive';
  // Without the person (not known yet), only the rules above.
  if (person === null) return null;
  const mine = folded(password);
  const email = person.email.trim().toLowerCase();
  const local = email.split('@')[0] ?? '';
  // Short words (a 2-letter local part, "Li") would refuse too much; from 3 letters they are personal.
  const whole = [folded(email), folded(local), folded(person.displayName)].filter((w) => w.length >= 3);
  // One part of the name padded with digits ("dupont123456") is the name too.
  const parts = person.displayName.split(/\s+/).map(folded).filter((w) => w.length >= 3);
  if (lower.includes(email) || whole.some((w) => mine.includes(w)) || parts.includes(mine.replace(/\p{N}/gu, ''))) return 'personal';
  return null;
}
