import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** The credentials the embedded S3 server accepts (s3rver's built-in account). */
export const EMBEDDED_S3_CREDENTIALS = { accessKey: 'S3RVER', secretKey: 'S3RVER' } as const;

export interface EmbeddedS3 {
  port: number;
  endpoint: string;
  close(): Promise<void>;
}

/**
 * An S3-compatible server (s3rver) on a local folder, in this process. Same
 * protocol and same client as MinIO/S3, so the code under test is the production code.
 */
export async function startEmbeddedS3(options: { port: number; directory: string; host?: string }): Promise<EmbeddedS3> {
  // s3rver ships no types; its constructor and run()/close() are all we use.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const S3rver = require('s3rver');
  const host = options.host ?? '127.0.0.1';
  mkdirSync(options.directory, { recursive: true });
  const server = new S3rver({
    address: host,
    port: options.port,
    directory: path.resolve(options.directory),
    silent: true,
  });
  const address = (await server.run()) as AddressInfo;
  return {
    port: address.port,
    endpoint: `http://${host}:${address.port}`,
    close: () => server.close(),
  };
}
