import path from 'node:path';
import { Readable } from 'node:stream';
import { startEmbeddedS3 } from '@lib/runtime';
import { s3Config } from '@lib/config';
import { TestEnv } from '@lib/testing';
import { CONTENT_TYPES, objectKeys } from '../src/object-keys';
import { StorageService } from '../src/storage.service';

/** Every S3 call the project makes (libs/storage/README.md), against a real S3-compatible server. */
describe('StorageService against the embedded S3 server', () => {
  let env: TestEnv;
  let storage: StorageService;

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'storage' });
    storage = new StorageService(s3Config.load(env.vars()));
  });
  afterAll(() => env.cleanup());

  it('creates the bucket once (HeadBucket + CreateBucket), and again is a no-op', async () => {
    expect(await storage.client.bucketExists(storage.bucket)).toBe(false);
    await storage.ensureBucket();
    await storage.ensureBucket();
    expect(await storage.client.bucketExists(storage.bucket)).toBe(true);
  });

  it('round-trips a segment with its content type (PutObject, HeadObject, GetObject)', async () => {
    const body = Buffer.from(Array.from({ length: 188 * 50 }, (_, i) => i % 251));
    const key = objectKeys.sourceSegment('session-a', 7);
    await storage.put(key, body, CONTENT_TYPES.mpegts);
    expect(await storage.stat(key)).toEqual({ size: body.length, contentType: CONTENT_TYPES.mpegts });
    expect((await storage.getBuffer(key)).equals(body)).toBe(true);
  });

  it('reads the head of an object and copies it within the bucket (GetObject with Range, CopyObject)', async () => {
    const body = Buffer.from(Array.from({ length: 188 * 400 }, (_, i) => (i * 7) % 251));
    const source = objectKeys.transcodedSegment('session-c', '240p', 3);
    await storage.put(source, body, CONTENT_TYPES.mpegts);
    // One ranged GET gives the head and the whole size (Content-Range), shorter objects whole.
    const head = await storage.getHead(source, 1000);
    expect(head?.head.equals(body.subarray(0, 1000))).toBe(true);
    expect(head?.size).toBe(body.length);
    const whole = await storage.getHead(source, 10 * body.length);
    expect(whole?.head.equals(body)).toBe(true);
    expect(whole?.size).toBe(body.length);
    expect(await storage.getHead('segments/none/0.ts', 1000)).toBeNull();
    const copy = objectKeys.hlsSegment('pb2', '240p', 12);
    await storage.copy(source, copy);
    expect(await storage.stat(copy)).toEqual({ size: body.length, contentType: CONTENT_TYPES.mpegts });
    expect((await storage.getBuffer(copy)).equals(body)).toBe(true);
    await expect(storage.copy('segments/none/0.ts', objectKeys.hlsSegment('pb2', '240p', 13))).rejects.toThrow();
  });

  it('accepts a stream body of known size', async () => {
    const key = objectKeys.hlsMedia('pb1', '240p');
    await storage.put(key, Readable.from([Buffer.from('#EXTM3U\n')]), CONTENT_TYPES.playlist, 8);
    expect((await storage.getBuffer(key)).toString()).toBe('#EXTM3U\n');
  });

  it('reports a missing object as null', async () => {
    expect(await storage.stat('segments/none/0.ts')).toBeNull();
  });

  it('lists and deletes by prefix (ListObjectsV2 + DeleteObjects)', async () => {
    for (let seq = 0; seq < 3; seq++)
      await storage.put(objectKeys.sourceSegment('session-b', seq), Buffer.from([seq]), CONTENT_TYPES.mpegts);
    const listed = await storage.list(objectKeys.sourceSession('session-b'));
    expect(listed.map((o) => o.key).sort()).toEqual(['segments/session-b/0.ts', 'segments/session-b/1.ts', 'segments/session-b/2.ts']);
    expect(await storage.removePrefix(objectKeys.sourceSession('session-b'))).toBe(3);
    expect(await storage.list(objectKeys.sourceSession('session-b'))).toEqual([]);
    expect(await storage.stat(objectKeys.sourceSegment('session-a', 7))).not.toBeNull();
  });

  it('keeps an acknowledged object across an immediate restart of the embedded server', async () => {
    const dir = path.join(env.tmpDir, 'restart-s3');
    let server = await startEmbeddedS3({ port: 0, directory: dir });
    const vars = { ...env.vars(), S3_ENDPOINT: server.endpoint, S3_BUCKET: 'restart-bucket' };
    await new StorageService(s3Config.load(vars)).ensureBucket();
    const body = Buffer.alloc(2_000_000, 7);
    await new StorageService(s3Config.load(vars)).put('segments/x/0.ts', body, CONTENT_TYPES.mpegts);
    await server.close();
    server = await startEmbeddedS3({ port: 0, directory: dir });
    try {
      const again = new StorageService(s3Config.load({ ...vars, S3_ENDPOINT: server.endpoint }));
      expect((await again.getBuffer('segments/x/0.ts')).equals(body)).toBe(true);
      expect(await again.stat('segments/x/0.ts')).toEqual({ size: body.length, contentType: CONTENT_TYPES.mpegts });
    } finally {
      await server.close();
    }
  });
});
