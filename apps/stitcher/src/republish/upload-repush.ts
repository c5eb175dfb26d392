import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { SegmentEntity, SessionEntity } from '@lib/database';
import {
  SEGMENT_UPLOAD_QUEUE,
  UPLOAD_JOB_OPTIONS,
  UPLOAD_SEGMENT_JOB,
  repushJobId,
  uploadJobId,
  type UploadSegmentPayload,
} from '@lib/queue';

/** One CLIENT LIST serves every stream's check within this long. */
const LIVE_WORKERS_CACHE_MS = 250;
/** How a worker names its Redis connection: BullMQ's client name, `:w:`, the worker's name. */
const WORKER_NAME_MARK = ':w:';

/** What the worker needs to push a seq again: the payload ingest gave it, marked as a push again. */
export function repushPayload(
  session: Pick<SessionEntity, 'id' | 'streamId' | 'livepeerStreamId'>,
  row: Pick<SegmentEntity, 'seq' | 'objectKey' | 'durationMs' | 'resolution' | 'bytes' | 'ingestedAt'>,
): UploadSegmentPayload {
  return {
    sessionId: session.id,
    streamId: session.streamId,
    livepeerStreamId: session.livepeerStreamId ?? '',
    seq: row.seq,
    objectKey: row.objectKey,
    durationMs: row.durationMs,
    resolution: row.resolution,
    bytes: row.bytes,
    ingestedAt: row.ingestedAt,
    repush: true,
  };
}

/**
 * The stitcher's side of the upload queue: enqueues a seq that is not coming again (frontier.ts),
 * with its own job id, so a second stitcher asking for the same push again adds nothing; and
 * tells whether a seq's upload job is held by a worker process that is gone.
 */
@Injectable()
export class UploadRepush {
  private liveWorkers?: { at: number; names: Promise<Set<string>> };

  constructor(@InjectQueue(SEGMENT_UPLOAD_QUEUE) private readonly queue: Queue<UploadSegmentPayload>) {}

  async enqueue(payload: UploadSegmentPayload): Promise<void> {
    await this.queue.add(UPLOAD_SEGMENT_JOB, payload, { ...UPLOAD_JOB_OPTIONS, jobId: repushJobId(payload.sessionId, payload.seq) });
  }

  /**
   * The seq's upload job is active on a worker whose Redis connection is gone (the process
   * died: the kernel closes its sockets at once). BullMQ would give the job to another worker
   * only when its lock expires, seconds later; the live playlists cannot wait that long.
   */
  async heldByDeadWorker(sessionId: string, seq: number): Promise<boolean> {
    const job = await this.queue.getJob(uploadJobId(sessionId, seq));
    if (!job?.processedBy || !(await job.isActive())) return false;
    return !(await this.liveWorkerNames()).has(job.processedBy);
  }

  private liveWorkerNames(): Promise<Set<string>> {
    const now = Date.now();
    if (!this.liveWorkers || now - this.liveWorkers.at > LIVE_WORKERS_CACHE_MS) {
      const names = this.queue.getWorkers().then((clients) => {
        const set = new Set<string>();
        for (const client of clients) {
          const raw = String((client as { rawname?: string }).rawname ?? '');
          const mark = raw.indexOf(WORKER_NAME_MARK);
          if (mark >= 0) set.add(raw.slice(mark + WORKER_NAME_MARK.length));
        }
        return set;
      });
      names.catch(() => (this.liveWorkers = undefined));
      this.liveWorkers = { at: now, names };
    }
    return this.liveWorkers.names;
  }
}
