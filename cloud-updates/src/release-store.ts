import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import type { Queryable } from '@vigie/cloud-store';
import { SignedReleaseManifest, validate, verifyReleaseManifest, type ReleaseKeyring } from '@vigie/protocol';
import { updateErrors } from './errors.ts';

/** A release as listed to admins. */
export interface ReleaseView {
  readonly id: string;
  readonly kind: string;
  readonly version: string;
  readonly hardware: readonly string[];
  readonly minVersion: string;
  readonly changelog: string;
  readonly sha256: string;
  readonly size: number;
  readonly keyId: string;
  readonly uploadedAt: number;
}

interface ReleaseRow {
  id: string;
  signed: SignedReleaseManifest;
  uploaded_at: Date;
}

export function toReleaseView(r: ReleaseRow): ReleaseView {
  const m = r.signed.manifest;
  return {
    id: r.id, kind: m.kind, version: m.version, hardware: m.hardware, minVersion: m.minVersion, changelog: m.changelog,
    sha256: m.sha256, size: m.size, keyId: r.signed.keyId, uploadedAt: r.uploaded_at.getTime(),
  };
}

/**
 * Artefacts on disk, content-addressed by sha256 (`<dir>/<sha256>`), written only once verified.
 * The object store of the design (S3) is the next adapter; the service only needs `write` and
 * `pathOf`.
 */
export class ReleaseBlobs {
  readonly #dir: string;
  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Where the verified artefact of `sha256` lies. */
  pathOf(sha256: string): string {
    return join(this.#dir, sha256);
  }

  /** Size in bytes of a stored artefact, or null. */
  sizeOf(sha256: string): number | null {
    try {
      return statSync(this.pathOf(sha256)).size;
    } catch {
      return null;
    }
  }

  /**
   * Stream `body` to a temporary file, hashing as it goes; stop at `maxBytes` (413) and keep the
   * file only if its size and sha256 are the manifest's (else 422). Never buffers the artefact.
   */
  async write(body: Readable, expected: { sha256: string; size: number }, maxBytes: number): Promise<void> {
    mkdirSync(this.#dir, { recursive: true, mode: 0o700 });
    const tmp = join(this.#dir, `.upload-${randomUUID()}`);
    const hash = createHash('sha256');
    let size = 0;
    const limit = Math.min(maxBytes, expected.size);
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        size += chunk.length;
        if (size > limit) {
          done(updateErrors.create('UPDATES_TOO_LARGE', { details: { field: 'body', limit } }));
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    try {
      await pipeline(body, meter, createWriteStream(tmp, { mode: 0o600 }));
      const sha256 = hash.digest('hex');
      if (size !== expected.size || sha256 !== expected.sha256) {
        throw updateErrors.create('UPDATES_ARTEFACT_MISMATCH', { details: { field: 'body', size, sha256 } });
      }
      renameSync(tmp, this.pathOf(expected.sha256));
    } finally {
      rmSync(tmp, { force: true });
    }
  }
}

/** Parse and verify a signed manifest against the service's keyring (400 / 422 naming the field). */
export function checkSignedManifest(raw: unknown, keyring: ReleaseKeyring | null): SignedReleaseManifest {
  const parsed = validate(SignedReleaseManifest, raw);
  if (!parsed.ok) {
    throw updateErrors.create('UPDATES_MANIFEST_INVALID', { details: { field: `manifest${parsed.issues[0]!.path}`, issues: parsed.issues } });
  }
  if (!keyring) throw updateErrors.create('UPDATES_NO_KEYRING');
  const problem = verifyReleaseManifest(keyring, parsed.value);
  if (problem) throw updateErrors.create('UPDATES_SIGNATURE_INVALID', { details: { field: 'manifest/sig', problem } });
  return parsed.value;
}

/** Store an uploaded release: manifest verified, artefact streamed and checked, then one row. */
export async function storeRelease(
  q: Queryable,
  blobs: ReleaseBlobs,
  input: { signed: SignedReleaseManifest; body: Readable; maxBytes: number; uploadedBy: string | null; now: number },
): Promise<ReleaseView> {
  const m = input.signed.manifest;
  const exists = await q.query('SELECT 1 FROM releases WHERE kind = $1 AND version = $2', [m.kind, m.version]);
  if (exists.rows.length > 0) throw updateErrors.create('UPDATES_RELEASE_EXISTS', { details: { field: 'manifest/version' } });
  if (m.size > input.maxBytes) throw updateErrors.create('UPDATES_TOO_LARGE', { details: { field: 'manifest/size', limit: input.maxBytes } });
  await blobs.write(input.body, { sha256: m.sha256, size: m.size }, input.maxBytes);
  const id = randomUUID();
  const { rows } = await q.query<ReleaseRow>(
    `INSERT INTO releases (id, kind, version, signed, sha256, size, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     RETURNING id, signed, uploaded_at`,
    [id, m.kind, m.version, JSON.stringify(input.signed), m.sha256, m.size, input.uploadedBy, new Date(input.now).toISOString()],
  );
  return toReleaseView(rows[0]!);
}

/** Every release, newest first. */
export async function listReleases(q: Queryable): Promise<ReleaseView[]> {
  const { rows } = await q.query<ReleaseRow>('SELECT id, signed, uploaded_at FROM releases ORDER BY uploaded_at DESC, id LIMIT 500');
  return rows.map(toReleaseView);
}

/** One release, or 404. */
export async function loadRelease(q: Queryable, id: string): Promise<ReleaseView & { signed: SignedReleaseManifest }> {
  const { rows } = await q.query<ReleaseRow>('SELECT id, signed, uploaded_at FROM releases WHERE id = $1', [id]);
  if (!rows[0]) throw updateErrors.create('UPDATES_NOT_FOUND', { details: { field: 'releaseId' } });
  return { ...toReleaseView(rows[0]), signed: rows[0].signed };
}
