import { createHash } from 'node:crypto';

/**
 * Hex sha256 of a secret token (box bearer tokens, session cookies). Tokens are 32 random bytes,
 * so a fast unsalted hash is enough: what is stored cannot be replayed, and nothing to guess.
 */
export function sha256Hex(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
