import { Injectable } from '@nestjs/common';
import { MetricsService } from '@lib/observability';

const LAG_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 6, 8, 12, 16, 24, 32];

/** The stitcher's own figures on /metrics, labelled by rendition (variant name). */
@Injectable()
export class RepublishMetrics {
  /** Time to download and parse one upstream rendition playlist. */
  readonly pollSeconds;
  /** From the worker's confirmed upload (the segment is upstream) to the poll that first saw it. */
  readonly pollLagSeconds;
  /** Time to download one segment from a broadcaster (or the source from the object store). */
  readonly fetchSeconds;
  /** From ingest closing the source segment to the segment being listed in the relay playlist. */
  readonly republishLagSeconds;
  readonly republished;
  readonly dropped;
  /** Renditions listed with `#EXT-X-GAP` (the source had the segment, they did not). */
  readonly gaps;
  readonly upstreamErrors;
  readonly playlistWrites;
  readonly ownedStreams;
  /** Variants described for a master playlist, by how: from the segment's bytes in process, or by ffprobe. */
  readonly variantDescriptions;

  constructor(metrics: MetricsService) {
    this.pollSeconds = metrics.histogram('stitcher_upstream_poll_seconds', 'Upstream rendition playlist download + parse time.', [
      'rendition',
    ]);
    this.pollLagSeconds = metrics.histogram(
      'stitcher_poll_lag_seconds',
      'Delay from the worker confirming a segment upload to the stitcher seeing it in the upstream playlist.',
      ['rendition'],
      LAG_BUCKETS,
    );
    this.fetchSeconds = metrics.histogram('stitcher_segment_fetch_seconds', 'Segment download time.', ['rendition']);
    this.republishLagSeconds = metrics.histogram(
      'stitcher_republish_lag_seconds',
      'Delay from ingest closing a source segment to it being listed in the republished playlist.',
      ['rendition'],
      LAG_BUCKETS,
    );
    this.republished = metrics.counter('stitcher_segments_republished_total', 'Segments listed in republished playlists.', ['rendition']);
    this.dropped = metrics.counter('stitcher_segments_dropped_total', 'Segments skipped in republished playlists.', [
      'rendition',
      'reason',
    ]);
    this.gaps = metrics.counter(
      'stitcher_segments_gap_total',
      'Rendition segments listed with #EXT-X-GAP while the source variant lists the media (renditions missing).',
      ['rendition', 'reason'],
    );
    this.upstreamErrors = metrics.counter('stitcher_upstream_errors_total', 'Failed upstream playlist polls and segment downloads.', [
      'kind',
    ]);
    this.playlistWrites = metrics.counter('stitcher_playlist_writes_total', 'Playlist versions written to the object store.', ['kind']);
    this.ownedStreams = metrics.gauge('stitcher_owned_streams', 'Streams whose playlists this stitcher copy writes.');
    this.variantDescriptions = metrics.counter(
      'stitcher_variant_descriptions_total',
      'Variants described for a master playlist (RESOLUTION, CODECS): in-process from the segment, or by ffprobe.',
      ['how'],
    );
  }
}
