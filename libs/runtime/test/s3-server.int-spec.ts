import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as Minio from 'minio';
import { EmbeddedS3, startEmbeddedS3 } from '../src/s3-server';

/**
 * The embedded S3 server answers only requests signed with its credentials, like
 * MinIO and S3: anonymous requests and requests signed with another key or secret
 * get 403, the minio client the apps use (signed with the configured keys) works.
 */
describe('embedded S3 server access control', () => {
  const credentials = { accessKey: 'relay-test-key', secretKey: 'relay-test-secret' };
  const bucket = 'guarded-bucket';
  let dir: string;
  let s3: EmbeddedS3;
  const client = (accessKey: string, secretKey: string) =>
    new Minio.Client({ endPoint: '127.0.0.1', port: s3.port, useSSL: false, accessKey, secretKey, region: 'us-east-1' });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 's3-guard-'));
    s3 = await startEmbeddedS3({ port: 0, directory: dir, credentials });
    const owner = client(credentials.accessKey, credentials.secretKey);
    await owner.makeBucket(bucket, 'us-east-1');
    await owner.putObject(bucket, 'live/a.ts', Buffer.from('segment-a'));
  });
  afterAll(async () => {
    await s3.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('binds to loopback by default', () => {
    expect(s3.endpoint).toBe(`http://127.0.0.1:${s3.port}`);
  });

  it('refuses anonymous list, read, write and delete with 403 AccessDenied', async () => {
    const requests: Array<[string, string, string?]> = [
      ['GET', '/'],
      ['GET', `/${bucket}`],
      ['GET', `/${bucket}?list-type=2`],
      ['GET', `/${bucket}/live/a.ts`],
      ['HEAD', `/${bucket}/live/a.ts`],
      ['PUT', `/${bucket}/live/a.ts`, 'overwritten'],
      ['PUT', `/${bucket}/live/new.ts`, 'planted'],
      ['DELETE', `/${bucket}/live/a.ts`],
      ['PUT', '/another-bucket'],
    ];
    for (const [method, target, body] of requests) {
      const response = await fetch(`${s3.endpoint}${target}`, { method, body });
      expect(response.status, `${method} ${target}`).toBe(403);
      if (method !== 'HEAD') expect(await response.text()).toContain('<Code>AccessDenied</Code>');
    }
    // Nothing of the anonymous writes and deletes happened.
    const owner = client(credentials.accessKey, credentials.secretKey);
    expect(await readObject(owner, 'live/a.ts')).toBe('segment-a');
    await expect(owner.statObject(bucket, 'live/new.ts')).rejects.toMatchObject({ code: 'NotFound' });
    expect(await owner.bucketExists('another-bucket')).toBe(false);
  });

  it('refuses requests signed with another key, another secret, or Signature Version 2', async () => {
    for (const intruder of [
      client('S3RVER', 'S3RVER'),
      client(credentials.accessKey, 'wrong-secret'),
      client('other-key', credentials.secretKey),
    ]) {
      await expect(intruder.listObjectsV2(bucket, '', true).toArray()).rejects.toMatchObject({ code: 'AccessDenied' });
      await expect(intruder.getObject(bucket, 'live/a.ts')).rejects.toMatchObject({ code: 'AccessDenied' });
      await expect(intruder.putObject(bucket, 'live/a.ts', Buffer.from('overwritten'))).rejects.toMatchObject({ code: 'AccessDenied' });
      await expect(intruder.removeObject(bucket, 'live/a.ts')).rejects.toMatchObject({ code: 'AccessDenied' });
      const presigned = await intruder.presignedGetObject(bucket, 'live/a.ts', 60);
      expect((await fetch(presigned)).status).toBe(403);
    }
    const v2 = await fetch(`${s3.endpoint}/${bucket}/live/a.ts`, {
      headers: { authorization: `AWS ${credentials.accessKey}:c2lnbmF0dXJl` },
    });
    expect(v2.status).toBe(403);
    expect(await readObject(client(credentials.accessKey, credentials.secretKey), 'live/a.ts')).toBe('segment-a');
  });

  it('serves the client signed with its credentials: list, read, write, delete, presigned read', async () => {
    const owner = client(credentials.accessKey, credentials.secretKey);
    await owner.putObject(bucket, 'hls/pb 1/index.m3u8', Buffer.from('#EXTM3U\n'), 8, { 'Content-Type': 'application/vnd.apple.mpegurl' });
    const names = (await owner.listObjectsV2(bucket, 'hls/', true).toArray()).map((o: { name: string }) => o.name);
    expect(names).toEqual(['hls/pb 1/index.m3u8']);
    expect(await readObject(owner, 'hls/pb 1/index.m3u8')).toBe('#EXTM3U\n');
    expect(await (await fetch(await owner.presignedGetObject(bucket, 'hls/pb 1/index.m3u8', 60))).text()).toBe('#EXTM3U\n');
    await owner.removeObject(bucket, 'hls/pb 1/index.m3u8');
    await expect(owner.statObject(bucket, 'hls/pb 1/index.m3u8')).rejects.toMatchObject({ code: 'NotFound' });
  });

  async function readObject(c: Minio.Client, key: string): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of await c.getObject(bucket, key)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString();
  }
});
