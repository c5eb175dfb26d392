import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import {
  RecordingRepository,
  type ExportState,
  type RecordingEntity,
  type RecordingExportEntity,
  type RecordingState,
} from '@lib/database';
import {
  EXPORT_JOB_OPTIONS,
  EXPORT_RECORDING_JOB,
  RECORDING_EXPORT_QUEUE,
  exportJobId,
  type ExportProgress,
  type ExportRecordingPayload,
} from '@lib/queue';
import { StorageService, objectKeys } from '@lib/storage';
import type { StreamUrlSettings } from './stream-urls';

export const RECORDING_URL_SETTINGS = 'recordings:url-settings';

export class RecordingNotFoundError extends Error {
  constructor(readonly recordingId: string) {
    super(`no recording with id ${recordingId}`);
    this.name = 'RecordingNotFoundError';
  }
}

/** A request the recording's state does not allow (export of a recording not ready, an unknown variant). */
export class RecordingConflictError extends Error {
  override readonly name = 'RecordingConflictError';
}

export interface RecordingExportView {
  variant: string;
  state: ExportState;
  /** 0-100 while queued or running (from the job), 100 when ready. */
  progress: number;
  /** Download URL (HTTP Range supported) once ready. */
  url: string | null;
  bytes: number | null;
  durationMs: number | null;
  error: string | null;
  requestedAt: number;
}

/** A recording as the admin API and the CLI show it. */
export interface RecordingView {
  id: string;
  streamId: string;
  sessionIds: string[];
  state: RecordingState;
  failureReason: string | null;
  startedAt: number;
  endedAt: number | null;
  durationMs: number | null;
  variants: string[];
  /** The VOD master playlist, once ready. */
  playbackUrl: string | null;
  thumbnailUrl: string | null;
  expiresAt: number | null;
  mp4: RecordingExportView[];
}

/**
 * Recordings for operators (admin API, CLI): views, deletion (its objects, then the row says
 * `deleted`) and MP4 export requests on the recording-export queue. Used by the stitcher's admin
 * API and the ingest CLI, so both behave alike.
 */
@Injectable()
export class RecordingsService {
  private readonly logger = new Logger(RecordingsService.name);

  constructor(
    private readonly recordings: RecordingRepository,
    private readonly storage: StorageService,
    @Inject(RECORDING_URL_SETTINGS) private readonly urls: Pick<StreamUrlSettings, 'playbackBase'>,
    @InjectQueue(RECORDING_EXPORT_QUEUE) private readonly exports: Queue<ExportRecordingPayload>,
  ) {}

  async ofStream(streamId: string, limit = 100): Promise<RecordingView[]> {
    return this.views(await this.recordings.ofStream(streamId, limit));
  }

  async ofSession(sessionId: string): Promise<RecordingView[]> {
    const recording = await this.recordings.ofSession(sessionId);
    return this.views(recording ? [recording] : []);
  }

  async get(id: string): Promise<RecordingView> {
    const [view] = await this.views([await this.entity(id)]);
    return view;
  }

  /** Deletes every object of the recording (segments, playlists, thumbnail, MP4s); the row stays as `deleted`. */
  async delete(id: string, now = Date.now()): Promise<RecordingView> {
    const recording = await this.entity(id);
    if (recording.state === 'recording')
      throw new RecordingConflictError('the recording is still being recorded; delete it once it has ended');
    const removed = await this.storage.removePrefix(objectKeys.recording(id));
    await this.recordings.deleteExports(id);
    await this.recordings.update(id, { state: 'deleted', deletedAt: now, expiresAt: null });
    this.logger.log({ recordingId: id, objects: removed }, 'recording deleted');
    return this.get(id);
  }

  /** Queues an MP4 export of one variant (a new request replaces a finished or failed one). */
  async requestExport(id: string, variant: string): Promise<RecordingView> {
    const recording = await this.entity(id);
    if (recording.state !== 'ready')
      throw new RecordingConflictError(`the recording is ${recording.state}; only a ready recording can be exported`);
    if (!recording.variants?.includes(variant)) {
      throw new RecordingConflictError(`the recording has no variant "${variant}" (it has ${(recording.variants ?? []).join(', ')})`);
    }
    const existing = await this.recordings.getExport(id, variant);
    if (existing && (existing.state === 'queued' || existing.state === 'running')) return this.get(id);
    const requestedAt = Date.now();
    await this.recordings.requestExport(id, variant, requestedAt);
    await this.exports.add(
      EXPORT_RECORDING_JOB,
      { recordingId: id, variant },
      { ...EXPORT_JOB_OPTIONS, jobId: exportJobId(id, variant, requestedAt) },
    );
    return this.get(id);
  }

  private async entity(id: string): Promise<RecordingEntity> {
    const recording = await this.recordings.get(id);
    if (!recording) throw new RecordingNotFoundError(id);
    return recording;
  }

  private async views(rows: RecordingEntity[]): Promise<RecordingView[]> {
    const ids = rows.map((r) => r.id);
    const sessions = await this.recordings.sessionIdsOf(ids);
    const exports = await this.recordings.exportsOf(ids);
    const exportViews = await Promise.all(exports.map((e) => this.exportView(e)));
    return rows.map((r) => {
      const ready = r.state === 'ready';
      return {
        id: r.id,
        streamId: r.streamId,
        sessionIds: sessions.get(r.id) ?? [],
        state: r.state,
        failureReason: r.failureReason,
        startedAt: r.startedAt,
        endedAt: r.endedAt,
        durationMs: r.durationMs,
        variants: r.variants ?? [],
        playbackUrl: ready ? `${this.urls.playbackBase}/vod/${r.id}/index.m3u8` : null,
        thumbnailUrl: ready ? `${this.urls.playbackBase}/vod/${r.id}/thumbnail.jpg` : null,
        expiresAt: r.expiresAt,
        mp4: exportViews.filter((e) => e.recordingId === r.id).map(({ recordingId: _id, ...view }) => view),
      };
    });
  }

  private async exportView(e: RecordingExportEntity): Promise<RecordingExportView & { recordingId: string }> {
    let progress = e.state === 'ready' ? 100 : 0;
    if (e.state === 'queued' || e.state === 'running') {
      const job = await this.exports.getJob(exportJobId(e.recordingId, e.variant, e.requestedAt)).catch(() => undefined);
      const reported = job?.progress as ExportProgress | number | undefined;
      progress = typeof reported === 'number' ? reported : (reported?.percent ?? 0);
    }
    return {
      recordingId: e.recordingId,
      variant: e.variant,
      state: e.state,
      progress,
      url: e.state === 'ready' ? `${this.urls.playbackBase}/vod/${e.recordingId}/${e.variant}.mp4` : null,
      bytes: e.bytes,
      durationMs: e.durationMs,
      error: e.error,
      requestedAt: e.requestedAt,
    };
  }
}
