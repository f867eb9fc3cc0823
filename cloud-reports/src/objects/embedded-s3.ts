import S3rver from 's3rver';
import type { ObjectStoreConfig } from './object-store.ts';

/** A running embedded S3-compatible server. */
export interface EmbeddedS3 {
  readonly config: ObjectStoreConfig;
  stop(): Promise<void>;
}

/**
 * Start s3rver in this process on a loopback port (port 0: any free one) over `directory`: the
 * object store of `npm start` and of the tests. Development only: s3rver does not check
 * signatures (field notes); production sets VIGIE_S3_ENDPOINT to MinIO, Garage or AWS S3.
 */
export async function startEmbeddedS3(options: { directory: string; bucket: string; port?: number }): Promise<EmbeddedS3> {
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory: options.directory,
    configureBuckets: [{ name: options.bucket }],
  });
  const address = await server.run();
  return {
    config: {
      endpoint: `http://127.0.0.1:${address.port}`,
      region: 'us-east-1',
      bucket: options.bucket,
      // s3rver's fixed development credentials.
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    },
    stop: () => server.close(),
  };
}
