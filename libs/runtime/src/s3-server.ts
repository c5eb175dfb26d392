import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync } from 'node:fs';
import http from 'node:http';
import { copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { S3Credentials, verifyS3Signature } from './s3-signature';

/** The credentials the embedded S3 server accepts (s3rver's built-in account). */
export const EMBEDDED_S3_CREDENTIALS = { accessKey: 'S3RVER', secretKey: 'S3RVER' } as const;

export interface EmbeddedS3 {
  port: number;
  endpoint: string;
  close(): Promise<void>;
}

export interface EmbeddedS3Options {
  port: number;
  directory: string;
  /** Address to bind (default loopback: the store is for this machine's apps). */
  host?: string;
  /** The only credentials accepted (default EMBEDDED_S3_CREDENTIALS). */
  credentials?: S3Credentials;
}

/**
 * An S3-compatible server (s3rver) on a local folder, in this process. Same
 * protocol and same client as MinIO/S3, so the code under test is the production code.
 * Like MinIO and S3 it answers only requests signed with its credentials: s3rver on
 * its own serves anonymous requests and does not check Signature Version 4 at all, so
 * every request passes `verifyS3Signature` first and is refused with 403 otherwise.
 */
export async function startEmbeddedS3(options: EmbeddedS3Options): Promise<EmbeddedS3> {
  // s3rver ships no types; its constructor, configureBuckets() and callback() are all we use.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const S3rver = require('s3rver');
  const host = options.host ?? '127.0.0.1';
  const credentials = options.credentials ?? EMBEDDED_S3_CREDENTIALS;
  mkdirSync(options.directory, { recursive: true });
  const server = new S3rver({ directory: path.resolve(options.directory), silent: true });
  makeWritesDurable(server.store);
  registerAccount(credentials);
  await server.configureBuckets();
  const handle = server.callback() as http.RequestListener;
  const httpServer = http.createServer((req, res) => {
    const refused = verifyS3Signature({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers }, credentials);
    if (refused) return denyAccess(req, res, refused);
    handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.port, host, () => resolve());
  });
  const address = httpServer.address() as AddressInfo;
  return {
    port: address.port,
    endpoint: `http://${clientHost(host)}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        httpServer.close((err) => (err ? reject(err) : resolve()));
        httpServer.closeIdleConnections();
      }),
  };
}

/** The address a client on this machine reaches a server bound to `host` at. */
function clientHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * s3rver looks the access key up in its process-wide account registry (which holds
 * its built-in key): the configured key goes in too. The gate is verifyS3Signature,
 * which lets only the configured key through.
 */
function registerAccount(credentials: S3Credentials): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('s3rver/lib/models/account').DUMMY_ACCOUNT.createKeyPair(credentials.accessKey, credentials.secretKey);
}

/** The 403 answer S3 gives: an AccessDenied XML error, with the request's body left unread. */
function denyAccess(req: http.IncomingMessage, res: http.ServerResponse, reason: string): void {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>AccessDenied</Code><Message>Access Denied (${reason})</Message><Resource>${escapeXml(req.url ?? '/')}</Resource></Error>`;
  res.writeHead(403, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.end(req.method === 'HEAD' ? undefined : body);
  req.resume();
}

function escapeXml(value: string): string {
  return value.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The parts of s3rver's FilesystemStore that PutObject goes through. */
interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putObject(object: {
    bucket: string;
    key: string;
    content: Buffer | Readable;
    metadata: Record<string, string>;
  }): Promise<{ size: number; md5: string }>;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5?: string): Promise<void>;
  getMetadata(bucket: string, key: string): Promise<Record<string, string>>;
  copyObject(
    srcBucket: string,
    srcKey: string,
    destBucket: string,
    destKey: string,
    replacementMetadata: Record<string, string> | null,
  ): Promise<Record<string, string>>;
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
  // CopyObject (the stitcher republishes stored renditions with it): s3rver copies the bytes
  // in place, then the metadata; here they go to a temporary file, the metadata is in place,
  // and the rename comes last, as for PutObject.
  const copyInPlace = store.copyObject.bind(store);
  store.copyObject = async (srcBucket, srcKey, destBucket, destKey, replacementMetadata) => {
    const source = store.getResourcePath(srcBucket, srcKey, 'object');
    const target = store.getResourcePath(destBucket, destKey, 'object');
    if (source === target) return copyInPlace(srcBucket, srcKey, destBucket, destKey, replacementMetadata);
    await mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${randomBytes(4).toString('hex')}.tmp`;
    await copyFile(source, tmp);
    const md5 = (await readFile(store.getResourcePath(srcBucket, srcKey, 'object.md5'), 'utf8').catch(() => undefined)) || undefined;
    const metadata = replacementMetadata ?? (await store.getMetadata(srcBucket, srcKey));
    await store.putMetadata(destBucket, destKey, metadata, md5);
    await rename(tmp, target);
    return store.getMetadata(destBucket, destKey);
  };
}
