import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { InjectConfig, stitcherConfig, type ConfigOf } from '@lib/config';
import { RecordingRepository, RenditionSegmentRepository, StreamRepository, type RecordingEntity } from '@lib/database';
import { writeMasterPlaylist } from '@lib/hls';
import { segmentThumbnail } from '@lib/media';
import { REDIS, REDIS_KEYS, lifecycleEventId, publishLifecycleEvent, type LifecycleEvent, type RedisKeys } from '@lib/queue';
import { CONTENT_TYPES, StorageService, objectKeys } from '@lib/storage';
import { probeVariant, raisedBandwidth, variantModel } from '../republish/variant-info';
import { buildVodPlaylists, type VodVariant } from './vod-playlists';

const DAY_MS = 24 * 3600_000;

/** Where a recording plays on the stitcher. */
export const vodPaths = {
  master: (recordingId: string) => `/vod/${recordingId}/index.m3u8`,
  thumbnail: (recordingId: string) => `/vod/${recordingId}/thumbnail.jpg`,
  mp4: (recordingId: string, variant: string) => `/vod/${recordingId}/${variant}.mp4`,
};

/**
 * Turns a recording whose stream ended into video on demand: its VOD media playlists (from the
 * rendition rows of its sessions, over the segment copies under `recordings/{id}/`), a master
 * playlist describing each variant from its own first segment, state `ready` with its duration
 * and expiry, then `recording.ready`; the thumbnail (a frame from the middle) follows. Runs once
 * per recording (only from `recording`), so a repeated call after a takeover is harmless.
 */
@Injectable()
export class RecordingFinalizer {
  private readonly logger = new Logger(RecordingFinalizer.name);

  constructor(
    @InjectConfig(stitcherConfig) private readonly settings: ConfigOf<typeof stitcherConfig>,
    private readonly recordings: RecordingRepository,
    private readonly renditions: RenditionSegmentRepository,
    private readonly streams: StreamRepository,
    private readonly storage: StorageService,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_KEYS) private readonly keys: RedisKeys,
  ) {}

  async finalize(recordingId: string): Promise<void> {
    const recording = await this.recordings.get(recordingId);
    if (!recording || recording.state !== 'recording') return;
    try {
      await this.makeReady(recording);
    } catch (err) {
      const reason = (err as Error).message;
      this.logger.error({ recordingId, err: reason }, 'recording could not be finished');
      if (
        await this.recordings.updateIfState(recordingId, ['recording'], { state: 'failed', failureReason: reason, endedAt: Date.now() })
      ) {
        await this.announce({
          type: 'recording.failed',
          id: lifecycleEventId('recording.failed', recordingId),
          timestamp: Date.now(),
          streamId: recording.streamId,
          sessionId: null,
          recordingId,
          data: { reason },
        });
      }
    }
  }

  private async makeReady(recording: RecordingEntity): Promise<void> {
    const sessions = await this.recordings.sessionsOf(recording.id);
    const rows = await this.renditions.listedOfSessions(sessions.map((s) => s.id));
    if (rows.length === 0) throw new Error('no segment of the recording was listed');
    const targetDuration = Math.max(1, ...sessions.map((s) => s.targetDuration));
    const vod = buildVodPlaylists(
      rows.map((r) => ({ ...r, msn: r.msn! })),
      targetDuration,
      recording.startedAt,
    );
    const variants = await this.describe(recording.id, vod.variants);
    if (variants.length === 0) throw new Error('no variant of the recording could be described (ffprobe)');
    await Promise.all(
      vod.variants.map((v) =>
        this.storage.put(objectKeys.recordingMedia(recording.id, v.name), Buffer.from(v.text), CONTENT_TYPES.playlist),
      ),
    );
    const master = writeMasterPlaylist({ variants: variants.map((v) => v.model).sort((a, b) => b.bandwidth - a.bandwidth) });
    await this.storage.put(objectKeys.recordingMaster(recording.id), Buffer.from(master), CONTENT_TYPES.playlist);

    const stream = await this.streams.get(recording.streamId);
    const endedAt = Math.max(...sessions.map((s) => s.endedAt ?? Date.now()));
    const days = stream?.recordingRetentionDays ?? this.settings.recordingRetentionDays;
    const names = variants.map((v) => v.name);
    const ready = await this.recordings.updateIfState(recording.id, ['recording'], {
      state: 'ready',
      variants: names,
      durationMs: vod.durationMs,
      segments: vod.segments,
      endedAt,
      expiresAt: days > 0 ? endedAt + days * DAY_MS : null,
    });
    if (!ready) return;
    this.logger.log({ recordingId: recording.id, durationMs: vod.durationMs, variants: names }, 'recording ready');
    await this.announce({
      type: 'recording.ready',
      id: lifecycleEventId('recording.ready', recording.id),
      timestamp: Date.now(),
      streamId: recording.streamId,
      sessionId: sessions.at(-1)?.id ?? null,
      recordingId: recording.id,
      data: {
        sessionIds: sessions.map((s) => s.id),
        durationMs: vod.durationMs,
        variants: names,
        playbackPath: vodPaths.master(recording.id),
      },
    });
    void this.writeThumbnail(recording.id, vod.variants).catch((err: Error) =>
      this.logger.warn({ recordingId: recording.id, err: err.message }, 'recording thumbnail not written'),
    );
  }

  /** Each variant's master entry, probed on its first segment; a variant that cannot be described is left out. */
  private async describe(recordingId: string, variants: VodVariant[]) {
    const described = await Promise.all(
      variants.map(async (v) => {
        const first = await this.storage.getBuffer(objectKeys.recordingSegment(recordingId, v.name, v.msns[0]));
        const info = await probeVariant(first).catch(() => undefined);
        if (!info) return undefined;
        const bandwidth = raisedBandwidth(undefined, Math.ceil(v.peakBitsPerSecond / 8), 1000);
        return { name: v.name, model: variantModel(v.name, { ...info, bandwidth }) };
      }),
    );
    return described.filter((v) => v !== undefined);
  }

  /** A frame from the middle of the smallest variant (cheapest to decode). */
  private async writeThumbnail(recordingId: string, variants: VodVariant[]): Promise<void> {
    const smallest = [...variants].sort((a, b) => a.peakBitsPerSecond - b.peakBitsPerSecond)[0];
    const middle = smallest.msns[Math.floor(smallest.msns.length / 2)];
    const segment = await this.storage.getBuffer(objectKeys.recordingSegment(recordingId, smallest.name, middle));
    await this.storage.put(objectKeys.recordingThumbnail(recordingId), await segmentThumbnail(segment), CONTENT_TYPES.jpeg);
  }

  private async announce(event: LifecycleEvent): Promise<void> {
    if (!(await publishLifecycleEvent(this.redis, this.keys.lifecycleEventsChannel(), event))) {
      this.logger.warn({ type: event.type, recordingId: event.recordingId }, 'lifecycle event not published (Redis)');
    }
  }
}
