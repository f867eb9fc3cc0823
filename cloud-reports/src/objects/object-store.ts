import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/** Where reports are kept: any S3-compatible endpoint (MinIO, Garage, AWS S3) or the embedded s3rver. */
export interface ObjectStoreConfig {
  /** `http(s)://host:port`; unset means AWS S3 itself (region endpoint). */
  readonly endpoint?: string;
  readonly region: string;
  readonly bucket: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Path-style URLs (`endpoint/bucket/key`): MinIO, Garage and s3rver need it. */
  readonly forcePathStyle: boolean;
}

/** What a stored object says about itself. */
export interface StoredObject {
  readonly key: string;
  readonly sizeBytes: number;
  readonly sha256: string;
}

/**
 * The object store of reports, on `@aws-sdk/client-s3`. Every PUT carries a SHA-256 checksum the
 * server verifies (`ChecksumSHA256`) and metadata that identifies the report without any medical
 * content (request id, period). Keys are deterministic (see `reportObjectKey`), so writing the
 * same report twice leaves one object.
 */
export class ReportObjectStore {
  readonly #s3: S3Client;
  readonly bucket: string;

  constructor(config: ObjectStoreConfig) {
    this.bucket = config.bucket;
    this.#s3 = new S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.forcePathStyle,
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
      // Our own retry policy (backoff, then dead letter) is above this one: a single quick retry here.
      maxAttempts: 2,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /**
   * Create the bucket when it does not exist and set its lifecycle: objects expire after
   * `retentionDays` (the medical-record retention documented in cloud-reports/README.md). s3rver
   * does not implement lifecycles: there the call's failure is ignored and the erasure and
   * retention rows are what delete.
   */
  async ensureBucket(retentionDays: number): Promise<void> {
    try {
      await this.#s3.send(new HeadBucketCommand({ Bucket: this.bucket }));
    } catch {
      await this.#s3.send(new CreateBucketCommand({ Bucket: this.bucket }));
    }
    await this.#s3
      .send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: this.bucket,
          LifecycleConfiguration: {
            Rules: [{ ID: 'vigie-report-retention', Status: 'Enabled', Filter: { Prefix: 'reports/' }, Expiration: { Days: retentionDays } }],
          },
        }),
      )
      .catch(() => undefined);
  }

  /** Store `body` under `key` with its checksum verified by the server. */
  async put(key: string, body: Buffer, metadata: Record<string, string>): Promise<StoredObject> {
    const digest = createHash('sha256').update(body).digest();
    await this.#s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        ContentType: 'application/pdf',
        ContentLength: body.length,
        ChecksumSHA256: digest.toString('base64'),
        Metadata: metadata,
      }),
    );
    return { key, sizeBytes: body.length, sha256: digest.toString('hex') };
  }

  /** The object's size, or null when it does not exist. */
  async head(key: string): Promise<{ sizeBytes: number } | null> {
    try {
      const res = await this.#s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { sizeBytes: res.ContentLength ?? 0 };
    } catch (err) {
      if ((err as { name?: string }).name === 'NotFound' || (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return null;
      throw err;
    }
  }

  /** A stream of the object's bytes (the portal pipes it to the doctor). */
  async open(key: string): Promise<Readable> {
    const res = await this.#s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    return res.Body as Readable;
  }

  /** A GET URL valid `seconds` (the portal may hand it instead of streaming). */
  presignedUrl(key: string, seconds: number): Promise<string> {
    return getSignedUrl(this.#s3, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn: seconds });
  }

  async delete(key: string): Promise<void> {
    await this.#s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /** Every key under `prefix` (tests, support). */
  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const res = await this.#s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of res.Contents ?? []) if (o.Key) keys.push(o.Key);
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  close(): void {
    this.#s3.destroy();
  }
}

/**
 * The one key of a request's report: `reports/<patient>/<from>_<to>_<kind>.pdf`. Deterministic
 * (a redelivered request writes the same object) and per patient (a report can only land in the
 * folder of the patient its request names, checked against the database before rendering).
 */
export const reportObjectKey = (r: { patientId: string; from: string; to: string; kind: string }): string =>
  `reports/${r.patientId}/${r.from}_${r.to}_${r.kind}.pdf`;
