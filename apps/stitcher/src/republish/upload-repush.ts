import { Injectable } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import type { SegmentEntity, SessionEntity } from '@lib/database';
import { SEGMENT_UPLOAD_QUEUE, UPLOAD_JOB_OPTIONS, UPLOAD_SEGMENT_JOB, repushJobId, type UploadSegmentPayload } from '@lib/queue';

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
 * Enqueues an uploaded seq that is not coming on the upload queue again (frontier.ts), with its
 * own job id: a second stitcher asking for the same push again adds nothing.
 */
@Injectable()
export class UploadRepush {
  constructor(@InjectQueue(SEGMENT_UPLOAD_QUEUE) private readonly queue: Queue<UploadSegmentPayload>) {}

  async enqueue(payload: UploadSegmentPayload): Promise<void> {
    await this.queue.add(UPLOAD_SEGMENT_JOB, payload, { ...UPLOAD_JOB_OPTIONS, jobId: repushJobId(payload.sessionId, payload.seq) });
  }
}
