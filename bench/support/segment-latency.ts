import { CreatedStream, Pipeline, SegmentCollector, TimelineEntry } from '@lib/testing';

/** A timeline row with the ledger's broadcaster round trip (PUT start -> response complete, transcoding included). */
export type TimedTimelineEntry = TimelineEntry & {
  roundTripMs: number | null;
  ingestedAt: number;
  queuedAt: number | null;
  uploadedAt: number | null;
};

/** Where a segment's share of the delay goes, stage by stage (ms, one value per listed segment). */
export interface ShareStages {
  /** Last frame into the encoder -> ingest closes the segment (encoder delay and the RTMP hop: not the relay's share). */
  encoderToClose: number[];
  /** Ingest closed it -> stored, in the ledger and enqueued for upload. */
  ingestedToQueued: number[];
  /** Enqueued -> push answer stored, minus the broadcaster round trip (pick-up, S3 read, parts stored). */
  workerOverhead: number[];
  /** Push answer stored -> first seen in the republished playlist (event, stitcher writes, player poll). */
  uploadedToListed: number[];
}

export interface SegmentLatencies {
  segments: number;
  /** First frame of the segment entering the encoder -> listed in the republished playlist (ms). */
  latency: number[];
  /**
   * The relay's own share: ingest closed the segment (its ledger `ingestedAt`) -> listed in the
   * republished playlist, minus the broadcaster round trip (transcoding). What comes before the
   * close (the encoder's own delay, the RTMP hop) delays a no-relay origin fed by the same
   * encoder just as much, so it is not the relay's.
   */
  relayShare: number[];
  stages: ShareStages;
}

export function noStages(): ShareStages {
  return { encoderToClose: [], ingestedToQueued: [], workerOverhead: [], uploadedToListed: [] };
}

/**
 * Watches the republished playlists more often than a player (every 50 ms, so the listing time
 * is known within 50 ms) and records when each
 * segment of `rendition` is first listed (the collector also downloads every segment).
 */
export function recordListings(
  pipeline: Pipeline,
  stream: CreatedStream,
  rendition: string,
): { collector: SegmentCollector; listedAt: Map<number, number> } {
  const collector = pipeline.watch(stream);
  collector.watcher.stop();
  collector.watcher.start(50);
  const listedAt = new Map<number, number>();
  const previous = collector.watcher.onSegment!;
  collector.watcher.onSegment = (name, msn, url) => {
    previous(name, msn, url);
    if (name === rendition) listedAt.set(msn, Date.now());
  };
  return { collector, listedAt };
}

/**
 * Joins the session's ledger timeline with the listing times. `publishedAt` is when the
 * publisher's first frame entered the encoder: a segment's first frame entered it at
 * publishedAt + the durations of the segments before it.
 */
export async function segmentLatencies(
  pipeline: Pipeline,
  stream: CreatedStream,
  listedAt: Map<number, number>,
  rendition: string,
  publishedAt: number,
): Promise<SegmentLatencies> {
  const [session] = await pipeline.sessions(stream);
  const timeline = (await pipeline.timeline(session.id)) as TimedTimelineEntry[];
  const result: SegmentLatencies = {
    segments: 0,
    latency: [],
    relayShare: [],
    stages: noStages(),
  };
  let mediaStart = 0;
  for (const entry of timeline) {
    const msn = entry.renditions[rendition]?.msn;
    const listed = msn == null ? undefined : listedAt.get(msn);
    if (listed !== undefined) {
      const latency = listed - (publishedAt + mediaStart);
      result.segments++;
      result.latency.push(latency);
      result.relayShare.push(listed - entry.ingestedAt - (entry.roundTripMs ?? 0));
      const segmentEnd = publishedAt + mediaStart + entry.durationMs;
      result.stages.encoderToClose.push(entry.ingestedAt - segmentEnd);
      if (entry.queuedAt != null) result.stages.ingestedToQueued.push(entry.queuedAt - entry.ingestedAt);
      if (entry.queuedAt != null && entry.uploadedAt != null) {
        result.stages.workerOverhead.push(entry.uploadedAt - entry.queuedAt - (entry.roundTripMs ?? 0));
      }
      if (entry.uploadedAt != null) result.stages.uploadedToListed.push(listed - entry.uploadedAt);
    }
    mediaStart += entry.durationMs;
  }
  return result;
}
