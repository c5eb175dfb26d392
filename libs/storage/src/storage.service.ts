import { Injectable, Logger } from '@nestjs/common';
import * as Minio from 'minio';
import type { Readable } from 'node:stream';
import { InjectConfig, type ConfigOf, s3Config } from '@lib/config';

type S3Settings = ConfigOf<typeof s3Config>;

export interface StoredObject {
  key: string;
  size: number;
  lastModified: Date;
}

export function createS3Client(s3: S3Settings): Minio.Client {
  return new Minio.Client({
    endPoint: s3.host,
    port: s3.port,
    useSSL: s3.useSSL,
    accessKey: s3.accessKey,
    secretKey: s3.secretKey,
    region: s3.region,
    // MinIO and the embedded server address buckets by path, not by virtual host.
    pathStyle: true,
  });
}

/**
 * The object store behind every app (MinIO/S3, or the embedded server on one
 * machine). Only the calls listed in libs/storage/README.md are used.
 */
@Injectable()
export class StorageService {
  private readonly logger = new Logger(StorageService.name);
  readonly client: Minio.Client;
  readonly bucket: string;

  constructor(@InjectConfig(s3Config) s3: S3Settings) {
    this.client = createS3Client(s3);
    this.bucket = s3.bucket;
  }

  /** HeadBucket, then CreateBucket when missing. Safe to call from several apps at once. */
  async ensureBucket(): Promise<void> {
    if (await this.client.bucketExists(this.bucket)) return;
    try {
      await this.client.makeBucket(this.bucket);
      this.logger.log({ bucket: this.bucket }, 'bucket created');
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw err;
    }
  }

  /** PutObject. A Buffer body is sent with its exact length. */
  async put(key: string, body: Buffer | Readable, contentType: string, size?: number): Promise<void> {
    const length = Buffer.isBuffer(body) ? body.length : size;
    await this.client.putObject(this.bucket, key, body, length, { 'Content-Type': contentType });
  }

  /** GetObject as a stream (the worker streams segments to broadcasters without buffering). */
  getStream(key: string): Promise<Readable> {
    return this.client.getObject(this.bucket, key);
  }

  /** GetObject of a byte range (HTTP Range answers); `length` undefined reads to the end. */
  getRange(key: string, offset: number, length?: number): Promise<Readable> {
    return this.client.getPartialObject(this.bucket, key, offset, length);
  }

  async getBuffer(key: string): Promise<Buffer> {
    return collect(await this.getStream(key));
  }

  /**
   * The first `length` bytes of an object (all of it when it is shorter) and the object's whole
   * size, in one ranged GET: the size is the total of the answer's Content-Range (a store that
   * answers the whole object instead says it in Content-Length). Null when there is no such object.
   */
  async getHead(key: string, length: number): Promise<{ head: Buffer; size: number } | null> {
    let answer: Readable & { headers?: Record<string, string | string[] | undefined> };
    try {
      answer = await this.getRange(key, 0, length);
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
    const head = await collect(answer);
    const total = /\/(\d+)$/.exec(String(answer.headers?.['content-range'] ?? ''))?.[1];
    const size = total !== undefined ? Number(total) : Number(answer.headers?.['content-length'] ?? head.length);
    return { head, size };
  }

  /**
   * CopyObject within the bucket: the store copies the bytes itself (content type and metadata
   * kept), so an object already stored is republished without passing through this process.
   */
  async copy(sourceKey: string, key: string): Promise<void> {
    await this.client.copyObject(this.bucket, key, `/${this.bucket}/${encodeURI(sourceKey)}`);
  }

  /** HeadObject: size and content type, or null when the object does not exist. */
  async stat(key: string): Promise<{ size: number; contentType?: string } | null> {
    try {
      const stat = await this.client.statObject(this.bucket, key);
      return { size: stat.size, contentType: stat.metaData?.['content-type'] };
    } catch (err) {
      if (isMissing(err)) return null;
      throw err;
    }
  }

  /** ListObjectsV2 under a prefix, all pages. */
  async list(prefix: string): Promise<StoredObject[]> {
    const out: StoredObject[] = [];
    const stream = this.client.listObjectsV2(this.bucket, prefix, true);
    for await (const item of stream as AsyncIterable<Minio.BucketItem>) {
      if (item.name) out.push({ key: item.name, size: item.size, lastModified: item.lastModified });
    }
    return out;
  }

  /** DeleteObjects (multi-object delete) for the given keys. */
  async remove(keys: string[]): Promise<void> {
    if (keys.length) await this.client.removeObjects(this.bucket, keys);
  }

  /** Deletes everything under a prefix (retention of an ended session). */
  async removePrefix(prefix: string): Promise<number> {
    const keys = (await this.list(prefix)).map((o) => o.key);
    await this.remove(keys);
    return keys.length;
  }
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The store's answer for an object that is not there (HEAD says NotFound, GET NoSuchKey). */
function isMissing(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'NotFound' || code === 'NoSuchKey';
}
