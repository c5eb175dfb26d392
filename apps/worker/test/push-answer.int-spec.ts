/**
 * Smoke test of the push-answer path between real processes: livepeer-local in `copy` mode (two
 * broadcaster processes answering multipart/mixed with one part per profile), one worker
 * process, real Redis, S3 server and PostgreSQL. Each case of the path (names, URL parts,
 * failures, repush) is covered in milliseconds by push-answer.medium-spec.ts.
 */
import Redis from 'ioredis';
import { probeMedia } from '@lib/media';
import { parseSegmentTranscoded, redisKeys, type SegmentTranscodedEvent } from '@lib/queue';
import { objectKeys } from '@lib/storage';
import { TEST_REDIS_URL, waitFor, type RunningApp } from '@lib/testing';
import { WorkerTestBed } from './support';

const SEGMENTS = 3;

describe('renditions of the push answer (livepeer-local, copy)', () => {
  let bed: WorkerTestBed;
  let worker: RunningApp;
  let subscriber: Redis;
  const events: SegmentTranscodedEvent[] = [];

  beforeAll(async () => {
    bed = await WorkerTestBed.create('worker-push-answer', { LIVEPEER_LOCAL_TRANSCODE_MODE: 'copy' });
    subscriber = new Redis(TEST_REDIS_URL);
    await subscriber.subscribe(redisKeys(bed.env.id).segmentTranscodedChannel());
    subscriber.on('message', (_channel, message) => {
      const event = parseSegmentTranscoded(message);
      if (event) events.push(event);
    });
    // WORKER_MULTIPART is on by default.
    worker = await bed.startWorker();
  });

  afterAll(async () => {
    await worker?.proc.stop();
    subscriber?.disconnect();
    await bed?.close();
  });

  it('stores each rendition in the bucket as MPEG-TS, records it in the ledger and announces it', async () => {
    const session = await bed.newSession();
    for (let seq = 0; seq < SEGMENTS; seq++) await bed.ingest.ingest(session, seq);
    const rows = await bed.ingest.settled(session.sessionId, SEGMENTS);

    for (const row of rows) {
      const key = objectKeys.transcodedSegment(session.sessionId, '144p', row.seq);
      expect(row).toMatchObject({ state: 'uploaded', renditions: { '144p': key } });
      const info = await probeMedia(await bed.ingest.storage.getBuffer(key));
      expect(info.formatName).toBe('mpegts');
      expect(info.video?.codec).toBe('h264');
    }
    const announced = await waitFor(
      () => {
        const mine = events.filter((e) => e.sessionId === session.sessionId);
        return mine.length >= SEGMENTS && mine;
      },
      { what: 'an announcement per segment' },
    );
    expect(announced.map((e) => e.seq).sort()).toEqual([0, 1, 2]);
    expect(announced.every((e) => e.renditions?.['144p'] === objectKeys.transcodedSegment(session.sessionId, '144p', e.seq))).toBe(true);
  });
});
