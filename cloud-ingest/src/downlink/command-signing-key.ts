import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { dataPaths } from '@vigie/common';
import { commandPublicKeyOf, parseCommandSigningKey } from '@vigie/protocol';

/** Where the command signing key is kept when `VIGIE_COMMAND_SIGNING_KEY` is unset. */
export function commandSigningKeyFile(dataDir: string): string {
  return join(dataPaths(dataDir).root, 'cloud', 'command-signing.key');
}

/**
 * The cloud's ed25519 key that signs box commands (issue 10; protocol/src/command-signature.ts):
 * `VIGIE_COMMAND_SIGNING_KEY` (base64 PKCS#8 DER or PEM) when set, else the key file
 * {@link commandSigningKeyFile}, created at first start (0600 in a 0700 folder) as the portal's
 * secrets key is. Production sets the variable from its secret store; every box is provisioned with
 * the public half ({@link commandPublicKeyOf}, `vigie-box provision --command-key`).
 */
export function loadCommandSigningKey(options: { dataDir: string; env?: Record<string, string | undefined> }): KeyObject {
  const value = (options.env ?? process.env).VIGIE_COMMAND_SIGNING_KEY?.trim();
  if (value) return parseCommandSigningKey(value);
  const file = commandSigningKeyFile(options.dataDir);
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    try {
      // 'wx': two processes starting together keep the first key written.
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
      closeSync(fd);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  chmodSync(file, 0o600);
  return parseCommandSigningKey(readFileSync(file, 'utf8'));
}

/**
 * {@link loadCommandSigningKey} when first needed, then kept: a cloud whose key cannot be read
 * logs why (once) and serves commands unsigned, which every box refuses — never a forged-looking
 * acknowledgement, and the rest of the ingest keeps working.
 */
export function lazyCommandSigningKey(options: { dataDir: string; log: { error(obj: object, msg: string): void } }): () => KeyObject | undefined {
  let key: KeyObject | undefined;
  let failed = false;
  return () => {
    if (key || failed) return key;
    try {
      key = loadCommandSigningKey({ dataDir: options.dataDir });
    } catch (err) {
      failed = true;
      options.log.error({ err, code: 'DOWNLINK_COMMAND_KEY_UNAVAILABLE' }, 'the command signing key cannot be read: box commands go unsigned and boxes will refuse them');
    }
    return key;
  };
}

export { commandPublicKeyOf };
