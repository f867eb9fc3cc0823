import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { ensurePrivateDir, writePrivateFile } from './private-files.ts';

/** PEM material of a development certificate authority and a server certificate it signed. */
export interface DevTlsMaterial {
  /** The CA certificate a client pins (`VIGIE_CLOUD_CA_FILE` on the box). */
  readonly ca: string;
  /** The server's certificate (for localhost, 127.0.0.1 and ::1) and its private key. */
  readonly cert: string;
  readonly key: string;
}

/** Where {@link ensureDevTls} keeps its files. */
export interface DevTlsFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

const DAY_MS = 86_400_000;

/**
 * A throw-away CA and a server certificate signed by it, so the one-machine system speaks TLS end
 * to end exactly as production does (the box pins the CA; nothing is trusted system-wide). For
 * development and tests only: production certificates come from the operator's PKI.
 */
export async function generateDevTls(now: Date = new Date()): Promise<DevTlsMaterial> {
  const notBeforeDate = new Date(now.getTime() - DAY_MS);
  const notAfterDate = new Date(now.getTime() + 825 * DAY_MS);
  const ca = await generate([{ name: 'commonName', value: 'Vigie development CA' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const server = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate,
    notAfterDate,
    ca: { key: ca.private, cert: ca.cert },
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { ca: ca.cert, cert: server.cert, key: server.private };
}

/**
 * The development TLS files under `dir` (`ca.pem`, `server.pem`, `server-key.pem`), created on
 * first use and renewed when the server certificate has less than 30 days left.
 */
export async function ensureDevTls(dir: string, now: Date = new Date()): Promise<DevTlsFiles> {
  const files = { caFile: join(dir, 'ca.pem'), certFile: join(dir, 'server.pem'), keyFile: join(dir, 'server-key.pem') };
  if (existsSync(files.caFile) && existsSync(files.certFile) && existsSync(files.keyFile)) {
    const validTo = new Date(new X509Certificate(readFileSync(files.certFile)).validTo).getTime();
    if (validTo - now.getTime() > 30 * DAY_MS) return files;
  }
  const material = await generateDevTls(now);
  ensurePrivateDir(dir);
  writePrivateFile(files.keyFile, material.key);
  writeFileSync(files.certFile, material.cert, { mode: 0o644 });
  writeFileSync(files.caFile, material.ca, { mode: 0o644 });
  return files;
}
