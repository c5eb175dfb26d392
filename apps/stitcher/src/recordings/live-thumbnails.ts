import { Injectable, Logger } from '@nestjs/common';
import { InjectConfig, stitcherConfig, type ConfigOf } from '@lib/config';
import { segmentThumbnail } from '@lib/media';
import { CONTENT_TYPES, StorageService, objectKeys } from '@lib/storage';
import { segmentBytes } from '../republish/received-segment';
import type { ListedSegment, StreamObserver } from '../republish/stream-observer';
import type { StreamRef } from '../republish/stream-playlists';

/**
 * `/hls/{playbackId}/thumbnail.jpg`: the first keyframe of a listed segment (the variant with
 * the fewest bytes, cheapest to decode), taken from the stream's first listed segment and then
 * at most every STITCHER_THUMBNAIL_INTERVAL_SECONDS. One ffmpeg run at a time in the process:
 * a segment listed while a run is going gets none, and its stream tries again with its next
 * segment. A run per segment per stream was a process started 50 times a second at 100 streams
 * (docs/architecture.md, "Per-stream cost"); this is N / interval runs a second at most.
 */
@Injectable()
export class LiveThumbnails implements StreamObserver {
  private readonly logger = new Logger(LiveThumbnails.name);
  private readonly schedule: ThumbnailSchedule;
  /** Runs done (for tests and the benchmark). */
  written = 0;

  constructor(
    @InjectConfig(stitcherConfig) private readonly settings: ConfigOf<typeof stitcherConfig>,
    private readonly storage: StorageService,
  ) {
    this.schedule = new ThumbnailSchedule(settings.thumbnailIntervalMs);
  }

  listed(stream: StreamRef, listed: ListedSegment): void {
    const smallest = [...listed.segments.values()].sort((a, b) => a.size - b.size)[0];
    if (!this.settings.thumbnails || !smallest || !this.schedule.start(stream.playbackId, Date.now())) return;
    segmentBytes(this.storage, smallest)
      .then((bytes) => segmentThumbnail(bytes))
      .then((jpeg) => this.storage.put(objectKeys.hlsThumbnail(stream.playbackId), jpeg, CONTENT_TYPES.jpeg))
      .then(() => (this.written += 1))
      .catch((err: Error) =>
        this.logger.warn({ playbackId: stream.playbackId, msn: listed.msn, err: err.message }, 'thumbnail not written'),
      )
      .finally(() => this.schedule.finished());
  }

  /** The stream ended: its next session starts with a thumbnail at once. */
  forget(stream: StreamRef): void {
    this.schedule.forget(stream.playbackId);
  }
}

/** When a stream's thumbnail is due: its first segment, then every `intervalMs`; one run at a time in all. */
export class ThumbnailSchedule {
  private running = false;
  /** playbackId -> when its last run started (ms) */
  private readonly lastRunAt = new Map<string, number>();

  constructor(private readonly intervalMs: number) {}

  /** Whether a run for this stream starts now; if so it is the one running until finished(). */
  start(playbackId: string, now: number): boolean {
    const last = this.lastRunAt.get(playbackId);
    if (this.running || (last !== undefined && now - last < this.intervalMs)) return false;
    this.running = true;
    this.lastRunAt.set(playbackId, now);
    return true;
  }

  finished(): void {
    this.running = false;
  }

  forget(playbackId: string): void {
    this.lastRunAt.delete(playbackId);
  }
}
