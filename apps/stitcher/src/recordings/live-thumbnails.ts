import { Injectable, Logger } from '@nestjs/common';
import { InjectConfig, stitcherConfig, type ConfigOf } from '@lib/config';
import { segmentThumbnail } from '@lib/media';
import { CONTENT_TYPES, StorageService, objectKeys } from '@lib/storage';
import type { ListedSegment, StreamObserver } from '../republish/stream-observer';
import type { StreamRef } from '../republish/stream-playlists';

/**
 * `/hls/{playbackId}/thumbnail.jpg`: the first keyframe of the newest listed segment, from the
 * bytes already in hand (the variant with the fewest bytes, cheapest to decode). At most one
 * ffmpeg run per stream at a time: a segment listed while the previous run is going gets none,
 * so the picture is at most a segment or two old and the cost stays one short run per segment.
 */
@Injectable()
export class LiveThumbnails implements StreamObserver {
  private readonly logger = new Logger(LiveThumbnails.name);
  private readonly running = new Set<string>();
  /** Runs done (for tests and the benchmark). */
  written = 0;

  constructor(
    @InjectConfig(stitcherConfig) private readonly settings: ConfigOf<typeof stitcherConfig>,
    private readonly storage: StorageService,
  ) {}

  listed(stream: StreamRef, listed: ListedSegment): void {
    if (!this.settings.thumbnails || this.running.has(stream.playbackId)) return;
    const smallest = [...listed.segments.values()].sort((a, b) => a.bytes.length - b.bytes.length)[0];
    if (!smallest) return;
    this.running.add(stream.playbackId);
    segmentThumbnail(smallest.bytes)
      .then((jpeg) => this.storage.put(objectKeys.hlsThumbnail(stream.playbackId), jpeg, CONTENT_TYPES.jpeg))
      .then(() => (this.written += 1))
      .catch((err: Error) =>
        this.logger.warn({ playbackId: stream.playbackId, msn: listed.msn, err: err.message }, 'thumbnail not written'),
      )
      .finally(() => this.running.delete(stream.playbackId));
  }
}
