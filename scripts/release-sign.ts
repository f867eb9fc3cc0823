/**
 * `npm run release:sign -- …`: the release engineer's tool (issue 15), run on the signing machine,
 * never on a server that boxes reach. It does not import any cloud package.
 *
 *   npm run release:sign -- keygen --key-id release-2026 --out ./keys
 *       writes keys/release-2026.key (ed25519 PKCS#8 PEM, 0600: keep it offline) and
 *       keys/release-2026.pub.json (the keyring entry to add to the boxes' image and the service's keyring)
 *   npm run release:sign -- sign --key keys/release-2026.key --key-id release-2026 \
 *       --kind box --version 1.4.0 --hardware rpi4-sim7600 --min-version 1.2.0 \
 *       --changelog "…" bundle.raucb
 *       writes bundle.raucb.release.json: the signed manifest (sha256 and size of the bundle inside)
 *   npm run release:sign -- verify --keyring release-keyring.json bundle.raucb
 *       checks the manifest's signature and that the bundle is the one it describes
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { createReadStream, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ReleaseKeyring,
  ReleaseManifest,
  SignedReleaseManifest,
  parseReleaseSigningKey,
  releasePublicKeyOf,
  signReleaseManifest,
  validate,
  verifyReleaseManifest,
} from '@vigie/protocol';

const USAGE = `usage: npm run release:sign -- keygen --key-id ID --out DIR
       npm run release:sign -- sign --key FILE --key-id ID --kind box|bracelet-firmware --version X.Y.Z
                                    --hardware MODEL[,MODEL] --min-version X.Y.Z [--changelog TEXT] ARTEFACT
       npm run release:sign -- verify --keyring FILE ARTEFACT`;

class UsageError extends Error {}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function need(values: Record<string, string | undefined>, name: string): string {
  const v = values[name];
  if (!v) throw new UsageError(`--${name} is required`);
  return v;
}

export async function main(argv: string[]): Promise<string> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      'key-id': { type: 'string' }, out: { type: 'string' }, key: { type: 'string' }, kind: { type: 'string' }, version: { type: 'string' },
      hardware: { type: 'string' }, 'min-version': { type: 'string' }, changelog: { type: 'string' }, keyring: { type: 'string' },
      'created-at': { type: 'string' },
    },
  });
  if (command === 'keygen') {
    const keyId = need(values, 'key-id');
    const out = need(values, 'out');
    mkdirSync(out, { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(join(out, `${keyId}.key`), privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
    writeFileSync(join(out, `${keyId}.pub.json`), `${JSON.stringify({ keyId, publicKey: releasePublicKeyOf(privateKey) }, null, 2)}\n`);
    return `wrote ${join(out, `${keyId}.key`)} (keep it offline) and ${join(out, `${keyId}.pub.json`)}`;
  }
  if (command === 'sign') {
    const artefact = positionals[0];
    if (!artefact) throw new UsageError('name the artefact to sign');
    const manifest = {
      v: 1, kind: need(values, 'kind'), version: need(values, 'version'), hardware: need(values, 'hardware').split(',').map((h) => h.trim()),
      minVersion: need(values, 'min-version'), changelog: values.changelog ?? '', sha256: await sha256Of(artefact), size: statSync(artefact).size,
      createdAt: values['created-at'] ?? new Date().toISOString(),
    };
    const checked = validate(ReleaseManifest, manifest);
    if (!checked.ok) throw new UsageError(`the manifest is invalid: ${checked.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`);
    const key = parseReleaseSigningKey(readFileSync(need(values, 'key'), 'utf8'));
    const signed = signReleaseManifest(key, need(values, 'key-id'), checked.value);
    writeFileSync(`${artefact}.release.json`, `${JSON.stringify(signed, null, 2)}\n`);
    return `wrote ${artefact}.release.json (${manifest.kind} ${manifest.version}, sha256 ${manifest.sha256})`;
  }
  if (command === 'verify') {
    const artefact = positionals[0];
    if (!artefact) throw new UsageError('name the artefact to verify');
    const keyring = validate(ReleaseKeyring, JSON.parse(readFileSync(need(values, 'keyring'), 'utf8')));
    if (!keyring.ok) throw new UsageError(`--keyring is not a release keyring: ${keyring.issues[0]!.path} ${keyring.issues[0]!.message}`);
    const signed = validate(SignedReleaseManifest, JSON.parse(readFileSync(`${artefact}.release.json`, 'utf8')));
    if (!signed.ok) throw new UsageError(`${artefact}.release.json is not a signed manifest: ${signed.issues[0]!.path} ${signed.issues[0]!.message}`);
    const problem = verifyReleaseManifest(keyring.value, signed.value);
    if (problem) throw new UsageError(`signature refused: ${problem}`);
    if ((await sha256Of(artefact)) !== signed.value.manifest.sha256 || statSync(artefact).size !== signed.value.manifest.size) {
      throw new UsageError('the artefact is not the one the manifest describes (sha256 or size differ)');
    }
    return `ok: ${signed.value.manifest.kind} ${signed.value.manifest.version} signed by ${signed.value.keyId}`;
  }
  throw new UsageError(USAGE);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (line) => process.stdout.write(`${line}\n`),
    (err: unknown) => {
      process.stderr.write(`release:sign: ${(err as Error).message}\n${err instanceof UsageError ? '' : `${(err as Error).stack}\n`}`);
      process.exit(err instanceof UsageError ? 2 : 1);
    },
  );
}
