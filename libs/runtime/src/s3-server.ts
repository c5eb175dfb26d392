import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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
  makeWritesDurable(server.store);
  const address = (await server.run()) as AddressInfo;
  return {
    port: address.port,
    endpoint: `http://${host}:${address.port}`,
    close: () => server.close(),
  };
}

/** The parts of s3rver's FilesystemStore that PutObject goes through. */
interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putObject(object: { bucket: string; key: string; content: Buffer | Readable; metadata: Record<string, string> }): Promise<{ size: number; md5: string }>;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5?: string): Promise<void>;
}

/** Writes a file under a temporary name, then renames it: readers see the old or the new file, never half. */
async function writeAtomically(file: string, data: string | Buffer): Promise<void> {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, file);
}

/**
 * s3rver answers PutObject before the object's bytes reach the disk and rewrites
 * files in place, so a reader (or a restart right after a PUT) can see a missing or
 * half-written object. MinIO and S3 never do: an acknowledged PUT is complete and
 * durable. These overrides give the embedded server the same guarantee: the object
 * is written to a temporary file, its metadata is in place, and only then is it
 * renamed into place and the PUT answered.
 */
function makeWritesDurable(store: FilesystemStore): void {
  store.putMetadata = async (bucket, key, metadata, md5) => {
    // Kept exactly what s3rver keeps: its allowed system metadata and user metadata.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const allowed: string[] = require('s3rver/lib/models/object').ALLOWED_METADATA;
    const pick = (k: string) => k.startsWith('x-amz-meta-') || allowed.includes(k);
    const json = Object.fromEntries(Object.entries(metadata).filter(([k]) => pick(k)));
    if (md5) await writeAtomically(store.getResourcePath(bucket, key, 'object.md5'), md5);
    await writeAtomically(store.getResourcePath(bucket, key, 'metadata.json'), JSON.stringify(json, null, 2));
  };
  store.putObject = async (object) => {
    const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(path.dirname(objectPath), { recursive: true });
    const tmp = `${objectPath}.${randomBytes(4).toString('hex')}.tmp`;
    const md5 = createHash('md5');
    let size = 0;
    const source = Buffer.isBuffer(object.content) ? Readable.from([object.content]) : object.content;
    await pipeline(
      source,
      new Transform({
        transform(chunk: Buffer, _encoding, callback) {
          md5.update(chunk);
          size += chunk.length;
          callback(null, chunk);
        },
      }),
      createWriteStream(tmp),
    );
    const digest = md5.digest('hex');
    await store.putMetadata(object.bucket, object.key, object.metadata, digest);
    await rename(tmp, objectPath);
    return { size, md5: digest };
  };
}
