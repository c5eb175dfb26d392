import { Inject, Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import type Redis from 'ioredis';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RecordingRepository } from '@lib/database';
import { parseMediaPlaylist, segmentSequenceNumber } from '@lib/hls';
import { probeMedia } from '@lib/media';
import {
  REDIS,
  REDIS_KEYS,
  lifecycleEventId,
  parseExportRecordingPayload,
  publishLifecycleEvent,
  type ExportProgress,
  type ExportRecordingPayload,
  type ExportRecordingResult,
  type RedisKeys,
} from '@lib/queue';
import { CONTENT_TYPES, StorageService, objectKeys } from '@lib/storage';
import { remuxToMp4 } from './mp4-remux';

export type ExportJob = Job<ExportRecordingPayload, ExportRecordingResult>;

/** Share of the progress bar each phase takes. */
const DOWNLOAD_SHARE = 50;
const REMUX_SHARE = 45;
/** Progress is written to Redis at most this often (percent steps). */
const PROGRESS_STEP = 2;

/** Where a job's files live: the same folder on a retry, so segments a killed run downloaded are kept. */
export function exportWorkDir(recordingId: string, variant: string, root = tmpdir()): string {
  return path.join(root, 'relay-export', `${recordingId}-${variant}`);
}

/**
 * One MP4 export: the variant's VOD playlist from the bucket, its segments into a local folder
 * (each written to `.part` and renamed, so a complete file is never downloaded again when a job
 * killed midway runs again), `ffmpeg -c copy` into a faststart MP4, upload, then the
 * recording_exports row and `asset.export-ready`. Progress through job.updateProgress.
 */
@Injectable()
export class RecordingExporter {
  private readonly logger = new Logger(RecordingExporter.name);

  constructor(
    private readonly recordings: RecordingRepository,
    private readonly storage: StorageService,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_KEYS) private readonly keys: RedisKeys,
  ) {}

  async run(job: ExportJob): Promise<ExportRecordingResult> {
    const { recordingId, variant } = parseExportRecordingPayload(job.data);
    const recording = await this.recordings.get(recordingId);
    if (!recording || recording.state !== 'ready') {
      throw new UnrecoverableError(`recording ${recordingId} is ${recording ? recording.state : 'gone'}: nothing to export`);
    }
    await this.recordings.updateExport(recordingId, variant, { state: 'running', error: null });
    const report = progressReporter(job);
    const dir = exportWorkDir(recordingId, variant);
    await mkdir(dir, { recursive: true });

    const playlist = parseMediaPlaylist((await this.storage.getBuffer(objectKeys.recordingMedia(recordingId, variant))).toString('utf8'));
    const durationMs = Math.round(playlist.segments.reduce((sum, s) => sum + s.duration, 0) * 1000);
    const runs: string[][] = [];
    let reused = 0;
    for (const [i, segment] of playlist.segments.entries()) {
      const msn = segmentSequenceNumber(segment.uri);
      if (msn === undefined) throw new UnrecoverableError(`segment URI ${segment.uri} of the VOD playlist names no msn`);
      const file = path.join(dir, `${msn}.ts`);
      if (await exists(file)) reused += 1;
      else {
        await writeFile(`${file}.part`, await this.storage.getBuffer(objectKeys.recordingSegment(recordingId, variant, msn)));
        await rename(`${file}.part`, file);
      }
      if (segment.discontinuity || runs.length === 0) runs.push([]);
      runs.at(-1)!.push(file);
      await report('download', ((i + 1) / playlist.segments.length) * DOWNLOAD_SHARE);
    }
    if (reused) this.logger.log({ recordingId, variant, reused }, 'export resumed: segments of an earlier attempt kept');

    const first = await probeMedia(runs[0][0], { untrustedFormat: 'mpegts', timeoutMs: 15_000 });
    const outFile = path.join(dir, 'export.mp4');
    await remuxToMp4({
      runs,
      workDir: dir,
      listFile: path.join(dir, 'list.txt'),
      outFile,
      aac: first.audio?.codec === 'aac',
      durationMs,
      onProgress: (fraction) => void report('remux', DOWNLOAD_SHARE + fraction * REMUX_SHARE),
    });
    const out = await probeMedia(outFile, { untrustedFormat: 'mp4', timeoutMs: 15_000 });
    const bytes = (await stat(outFile)).size;
    await report('upload', DOWNLOAD_SHARE + REMUX_SHARE);
    const objectKey = objectKeys.recordingMp4(recordingId, variant);
    await this.storage.put(objectKey, createReadStream(outFile), CONTENT_TYPES.mp4, bytes);
    const result = { objectKey, bytes, durationMs: Math.round(out.duration * 1000) };
    await this.recordings.updateExport(recordingId, variant, { state: 'ready', ...result, error: null });
    await job.updateProgress({ percent: 100, phase: 'done' } satisfies ExportProgress);
    await rm(dir, { recursive: true, force: true });
    this.logger.log({ recordingId, variant, bytes, durationMs: result.durationMs }, 'MP4 export ready');
    await publishLifecycleEvent(this.redis, this.keys.lifecycleEventsChannel(), {
      type: 'asset.export-ready',
      id: lifecycleEventId('asset.export-ready', recordingId, variant, job.id ?? ''),
      timestamp: Date.now(),
      streamId: recording.streamId,
      sessionId: null,
      recordingId,
      data: { variant, bytes, durationMs: result.durationMs, downloadPath: `/vod/${recordingId}/${variant}.mp4` },
    });
    return result;
  }

  /** BullMQ gave up on the job: the row says failed, with why. */
  async recordFailure(job: ExportJob, err: Error): Promise<void> {
    const data = job.data as Partial<ExportRecordingPayload>;
    if (!data.recordingId || !data.variant) return;
    await this.recordings.updateExport(data.recordingId, data.variant, { state: 'failed', error: err.message }).catch(() => undefined);
    await rm(exportWorkDir(data.recordingId, data.variant), { recursive: true, force: true }).catch(() => undefined);
    this.logger.error({ recordingId: data.recordingId, variant: data.variant, err: err.message }, 'MP4 export failed for good');
    const recording = await this.recordings.get(data.recordingId).catch(() => null);
    if (!recording) return;
    await publishLifecycleEvent(this.redis, this.keys.lifecycleEventsChannel(), {
      type: 'asset.export-failed',
      id: lifecycleEventId('asset.export-failed', data.recordingId, data.variant, job.id ?? ''),
      timestamp: Date.now(),
      streamId: recording.streamId,
      sessionId: null,
      recordingId: data.recordingId,
      data: { variant: data.variant, error: err.message.slice(0, 500) },
    }).catch((e: Error) => this.logger.warn({ err: e.message }, 'could not announce the failed export'));
  }
}

/** job.updateProgress in PROGRESS_STEP steps (each one is a Redis write). */
function progressReporter(job: ExportJob) {
  let last = -PROGRESS_STEP;
  return async (phase: ExportProgress['phase'], percent: number) => {
    const rounded = Math.floor(percent);
    if (rounded - last < PROGRESS_STEP) return;
    last = rounded;
    await job.updateProgress({ percent: rounded, phase } satisfies ExportProgress);
  };
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}
