import type { JobsOptions, WorkerOptions } from 'bullmq';
import { z } from 'zod';
import type { DropReason, SegmentState } from '@lib/database';
import { parseWith } from './contract';

/**
 * The upload queue contract (docs/architecture.md, "Queue"). Only this file names the queue,
 * the job, the job id, the payload and the result; ingest produces, the worker consumes.
 */
export const SEGMENT_UPLOAD_QUEUE = 'segment-upload';
export const UPLOAD_SEGMENT_JOB = 'UploadSegment';

/**
 * Checked on both ends: ingest validates before it enqueues, the worker when it takes a job,
 * so a job written by another version, or by hand, fails with a clear message instead of a
 * PUT to `/live/undefined/NaN.ts`.
 */
export const uploadSegmentPayloadSchema = z.object({
  sessionId: z.string().min(1),
  streamId: z.string().min(1),
  livepeerStreamId: z.string().min(1),
  seq: z.number().int().min(0),
  /** segments/{sessionId}/{seq}.ts in the bucket. */
  objectKey: z.string().min(1),
  durationMs: z.number().positive(),
  /** WIDTHxHEIGHT, sent as Content-Resolution. */
  resolution: z
    .string()
    .regex(/^\d+x\d+$/, 'must be WIDTHxHEIGHT')
    .nullable(),
  bytes: z.number().int().min(0),
  /** Epoch ms when ingest closed the segment; the live deadline counts from here. */
  ingestedAt: z.number().positive(),
  /**
   * Set by the stitcher (job id `repushJobId`) for a segment already `uploaded` whose
   * renditions never arrived (the broadcaster that had it died): the worker pushes it again to
   * another broadcaster, stores the renditions and announces them again. A repush does not
   * skip an `uploaded` row, and one that misses the deadline leaves the ledger as it is (the
   * stitcher decides the skip).
   */
  repush: z.boolean().optional(),
});

export type UploadSegmentPayload = z.infer<typeof uploadSegmentPayloadSchema>;

/** A payload that does not follow the contract. */
export class InvalidUploadPayloadError extends Error {
  override readonly name = 'InvalidUploadPayloadError';
}

export function parseUploadSegmentPayload(data: unknown): UploadSegmentPayload {
  return parseWith(uploadSegmentPayloadSchema, data, 'upload job payload', InvalidUploadPayloadError);
}

/** Deterministic, so a re-enqueue of the same segment is a no-op (BullMQ ids must not contain ':'). */
export function uploadJobId(sessionId: string, seq: number): string {
  return `${sessionId}-${seq}`;
}

/** A repush of a segment, distinct from its first job's id (which may still be kept by BullMQ); `n` counts the repushes of that seq. */
export function repushJobId(sessionId: string, seq: number, n = 1): string {
  return `${sessionId}-${seq}-repush-${n}`;
}

/** Where one job's wall time went (ms per phase, summed over attempts): the relay's overhead, itemised. */
export type UploadPhases = Record<'ledger' | 'prepare' | 'push' | 'record', number>;

interface UploadResultBase {
  /** The worker process that ran the job (host:pid). */
  worker: string;
  /** Broadcasters pushed to by this run, in order (its length is the number of attempts). */
  tried: string[];
  phases?: UploadPhases;
}

/**
 * A completed job's return value (kept by BullMQ with the job; the benchmark reads it). Every
 * outcome of a segment is a completion: only a job that could not be run at all (an invalid
 * payload, an error of the worker's own stores) ends in the failed set.
 */
export type UploadJobResult =
  | (UploadResultBase & {
      outcome: 'uploaded';
      broadcaster: string;
      /** Job enqueued -> first PUT started (ms). */
      waitMs: number;
      /** Epoch ms the successful PUT started. */
      putStartedAt: number;
      uploadMs: number;
      roundTripMs: number;
    })
  /** The segment was given up; the ledger row says the same. */
  | (UploadResultBase & { outcome: 'dropped'; reason: DropReason; detail: string })
  /** Another run had already settled the segment; the ledger state it found. */
  | (UploadResultBase & { outcome: 'skipped'; state: SegmentState })
  /** A repush that did not get through (deadline, rejection): the ledger row is left as it was. */
  | (UploadResultBase & { outcome: 'not-repushed'; reason: DropReason; detail: string });

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
export const UPLOAD_WORKER_OPTIONS: Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount' | 'metrics'> = {
  lockDuration: 4000,
  stalledInterval: 2000,
  maxStalledCount: 2,
  // BullMQ's running totals of completed and failed jobs (plus an hour of per-minute counts): the
  // dashboard's jobs-per-second chart reads them (the stitcher's QueueSampler).
  metrics: { maxDataPoints: 60 },
};
