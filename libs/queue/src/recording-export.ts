import type { JobsOptions, WorkerOptions } from 'bullmq';
import { z } from 'zod';
import { parseWith } from './contract';

/**
 * The MP4 export queue contract: the stitcher's admin API (and the CLI) enqueue, the worker
 * remuxes one variant of a recording (`ffmpeg -c copy`) into `objectKeys.recordingMp4`.
 */
export const RECORDING_EXPORT_QUEUE = 'recording-export';
export const EXPORT_RECORDING_JOB = 'ExportRecording';

export const exportRecordingPayloadSchema = z.object({
  recordingId: z.string().min(1),
  variant: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a variant name'),
});

export type ExportRecordingPayload = z.infer<typeof exportRecordingPayloadSchema>;

/** What a completed export returns (also in the recording_exports row). */
export interface ExportRecordingResult {
  objectKey: string;
  bytes: number;
  durationMs: number;
}

export class InvalidExportPayloadError extends Error {
  override readonly name = 'InvalidExportPayloadError';
}

export function parseExportRecordingPayload(data: unknown): ExportRecordingPayload {
  return parseWith(exportRecordingPayloadSchema, data, 'export job payload', InvalidExportPayloadError);
}

/** One job per recording, variant and request time: a new request after a finished one runs again. */
export function exportJobId(recordingId: string, variant: string, requestedAt: number): string {
  return `export-${recordingId}-${variant}-${requestedAt}`;
}

/** Progress the job reports (job.updateProgress): percent of the work, and the phase it is in. */
export interface ExportProgress {
  percent: number;
  phase: 'download' | 'remux' | 'upload' | 'done';
}

/**
 * Attempts cover a worker that died mid-export (its lock lapses, another worker, or the same one
 * restarted, takes the job up again) and passing store errors.
 */
export const EXPORT_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 7 * 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 1000 },
};

/** A killed worker's export is taken over after about lock + stall interval (15 s). */
export const EXPORT_WORKER_OPTIONS: Pick<WorkerOptions, 'lockDuration' | 'stalledInterval' | 'maxStalledCount'> = {
  lockDuration: 10_000,
  stalledInterval: 5_000,
  maxStalledCount: 3,
};
