import type { JobsOptions, WorkerOptions } from 'bullmq';

/**
 * The upload queue contract (design: "Queue"). Only this file names the queue, the
 * job, the job id and the payload; ingest produces, the worker consumes.
 */
export const SEGMENT_UPLOAD_QUEUE = 'segment-upload';
export const UPLOAD_SEGMENT_JOB = 'UploadSegment';

export interface UploadSegmentPayload {
  sessionId: string;
  streamId: string;
  livepeerStreamId: string;
  seq: number;
  /** segments/{sessionId}/{seq}.ts in the bucket. */
  objectKey: string;
  durationMs: number;
  /** WIDTHxHEIGHT, sent as Content-Resolution. */
  resolution: string | null;
  bytes: number;
  /** Epoch ms when ingest closed the segment; the live deadline counts from here. */
  ingestedAt: number;
  /**
   * Set by the stitcher when it enqueues a segment again that was uploaded but never came (its
   * broadcaster died after answering, so no playlist lists it while later segments are listed).
   * The worker then expects the ledger row to be `uploaded` already and pushes it anyway (to
   * another broadcaster than the ones in the row), announcing it as usual; the live deadline
   * still counts from `ingestedAt`. Job id: `repushJobId`.
   */
  repush?: true;
}

/** Deterministic, so a re-enqueue of the same segment is a no-op (BullMQ ids must not contain ':'). */
export function uploadJobId(sessionId: string, seq: number): string {
  return `${sessionId}-${seq}`;
}

/** The job id of the one push again of a segment (distinct from the first job, which may still be kept). */
export function repushJobId(sessionId: string, seq: number): string {
  return `${uploadJobId(sessionId, seq)}-r1`;
}

/**
 * Attempts are not the retry policy (the worker retries on another broadcaster
 * inside one attempt, until the live deadline); they cover a worker dying mid-job.
 * Finished jobs are removed so Redis does not grow with the stream's length.
 */
export const UPLOAD_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'fixed', delay: 200 },
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 24 * 3600, count: 10_000 },
};

/**
 * Lock and stall intervals short enough that a killed worker's job is taken over
 * well inside the live deadline (5 x 2 s): lock 4 s, stall check every 2 s.
 */
export const UPLOAD_WORKER_OPTIONS: Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'> = {
  lockDuration: 4000,
  stalledInterval: 2000,
  maxStalledCount: 2,
};
