import { Job, Queue, Worker } from 'bullmq';
import { redisConfig } from '@lib/config';
import { TEST_REDIS_URL, TestEnv } from '@lib/testing';
import { bullConnection } from '../src/queue.module';
import { SEGMENT_UPLOAD_QUEUE, UPLOAD_JOB_OPTIONS, UPLOAD_SEGMENT_JOB, UploadSegmentPayload, uploadJobId } from '../src/segment-upload';

/** A job goes through a real BullMQ queue on real Redis to a real worker, once. */
describe('segment-upload queue', () => {
  let env: TestEnv;
  let queue: Queue<UploadSegmentPayload>;
  let worker: Worker<UploadSegmentPayload> | undefined;

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'queue', s3: false });
    const { prefix } = redisConfig.load(env.vars());
    queue = new Queue(SEGMENT_UPLOAD_QUEUE, { connection: bullConnection(TEST_REDIS_URL), prefix });
  });
  afterAll(async () => {
    await worker?.close();
    await queue.close();
    await env.cleanup();
  });

  const payload = (seq: number): UploadSegmentPayload => ({
    sessionId: 'c0ffee00-0000-4000-8000-000000000001',
    streamId: 'stream-1',
    livepeerStreamId: 'lp-1',
    seq,
    objectKey: `segments/c0ffee00-0000-4000-8000-000000000001/${seq}.ts`,
    durationMs: 2000,
    resolution: '640x360',
    bytes: 1234,
    ingestedAt: Date.now(),
  });

  it('delivers each segment once, even when enqueued twice with the deterministic id', async () => {
    for (const seq of [0, 1, 1]) {
      const p = payload(seq);
      await queue.add(UPLOAD_SEGMENT_JOB, p, { ...UPLOAD_JOB_OPTIONS, jobId: uploadJobId(p.sessionId, p.seq) });
    }
    const seen: Array<{ name: string; id?: string; data: UploadSegmentPayload }> = [];
    const done = new Promise<void>((resolve) => {
      worker = new Worker<UploadSegmentPayload>(
        SEGMENT_UPLOAD_QUEUE,
        async (job: Job<UploadSegmentPayload>) => {
          seen.push({ name: job.name, id: job.id, data: job.data });
          if (seen.length === 2) setTimeout(resolve, 300);
        },
        { connection: bullConnection(TEST_REDIS_URL), prefix: env.id },
      );
    });
    await done;
    expect(seen.map((s) => s.id).sort()).toEqual(['c0ffee00-0000-4000-8000-000000000001-0', 'c0ffee00-0000-4000-8000-000000000001-1']);
    expect(seen.every((s) => s.name === UPLOAD_SEGMENT_JOB)).toBe(true);
    expect(seen.find((s) => s.data.seq === 1)?.data).toEqual(
      expect.objectContaining({ objectKey: payload(1).objectKey, durationMs: 2000 }),
    );
    expect(uploadJobId('a', 1)).not.toContain(':');
  });
});
