import { DROP_REASONS } from '@lib/database';
import { probeMedia } from '@lib/media';
import { objectKeys } from '@lib/storage';
import {
  PIPELINE_LADDER as LADDER,
  validateMasterPlaylist,
  type CreatedStream,
  type LiveWindow,
  type Pipeline,
  type SegmentCollector,
  type TimelineEntry,
} from '@lib/testing';

export { Pipeline, type CreatedStream, type PipelineOptions, type SegmentCollector } from '@lib/testing';

export interface OutcomeLimits {
  /** Source segments that may be dropped (each with a reason from the fixed list). */
  maxDrops: number;
  /** When the publisher was sending (epoch ms): the stall rule looks at these intervals. */
  liveWindows: LiveWindow[];
  /**
   * Whether the stall rule (no variant without a new segment for over 1.5 x target duration
   * while live) is asserted, or only measured and returned (`Outcome.stalls`) for the case's log
   * line. Asserted where the relay meets it today; see docs/architecture.md for the cases that do not.
   */
  stallFree: boolean;
  /** Republished segments required after this source seq of the last session (the fault point). */
  republishedAfter?: { seq: number; atLeast: number };
}

export interface Outcome {
  ingested: number;
  republished: number;
  drops: Array<{ seq: number; reason: string; detail?: string }>;
  renditions: string[];
  /** Intervals over 1.5 x target duration without a new segment while live. */
  stalls: ReturnType<SegmentCollector['watcher']['stalls']>;
}

/**
 * The checks every end-to-end case makes on the republished stream:
 * - every playlist version seen was valid, and the master playlist is valid;
 * - while the publisher was live, no variant went longer than 1.5 x target duration without a
 *   new segment (players stall then), where the case says it holds; measured in every case;
 * - every ingested segment is republished in every rendition or dropped with a reason;
 * - every republished segment decodes, and its duration and first PTS are within 100 ms
 *   of the source segment's; renditions of one segment start within 1 s of each other.
 */
export async function checkOutcome(
  pipeline: Pipeline,
  stream: CreatedStream,
  collector: SegmentCollector,
  limits: OutcomeLimits,
): Promise<Outcome> {
  const watcher = collector.watcher;
  expect(watcher.violations(), 'HLS rule violations').toEqual([]);
  expect(watcher.masterText, 'master playlist').toBeDefined();
  expect(validateMasterPlaylist(watcher.masterText!), 'master playlist violations').toEqual([]);
  const stalls = watcher.stalls(limits.liveWindows);
  if (limits.stallFree) expect(stalls, 'playlists without a new segment for over 1.5 x target duration').toEqual([]);
  const renditions = [...watcher.media.keys()].sort();
  expect(renditions).toEqual([...LADDER, 'source'].sort());

  const outcome: Outcome = { ingested: 0, republished: 0, drops: [], renditions, stalls };
  const sessions = await pipeline.sessions(stream);
  for (const session of sessions) {
    const timeline = await pipeline.timeline(session.id);
    for (const entry of timeline) {
      outcome.ingested++;
      const variantDrops = Object.values(entry.renditions).filter((r) => r.state === 'dropped');
      if (entry.state === 'dropped' || variantDrops.length) {
        const reason = entry.dropReason ?? variantDrops[0]?.dropReason ?? 'unknown';
        expect(DROP_REASONS, `seq ${entry.seq} dropped with reason ${reason}`).toContain(reason);
        outcome.drops.push({ seq: entry.seq, reason, detail: entry.dropDetail ?? undefined });
        continue;
      }
      expect(entry.state, `seq ${entry.seq} of session ${session.id}`).toBe('republished');
      expect(Object.keys(entry.renditions).sort()).toEqual(renditions);
      outcome.republished++;
      await checkSegment(pipeline, collector, session.id, entry);
    }
  }
  expect(outcome.drops.length, `drops: ${JSON.stringify(outcome.drops)}`).toBeLessThanOrEqual(limits.maxDrops);
  if (limits.republishedAfter) {
    const last = sessions[sessions.length - 1];
    const after = (await pipeline.timeline(last.id)).filter((e) => e.seq > limits.republishedAfter!.seq && e.state === 'republished');
    expect(after.length, 'segments republished after the fault').toBeGreaterThanOrEqual(limits.republishedAfter.atLeast);
  }
  return outcome;
}

async function checkSegment(pipeline: Pipeline, collector: SegmentCollector, sessionId: string, entry: TimelineEntry) {
  const source = await probeMedia(await pipeline.storage.getBuffer(objectKeys.sourceSegment(sessionId, entry.seq)));
  const sourceStart = source.video?.startTime ?? source.startTime;
  const sourceDuration = source.video?.duration ?? source.duration;
  const starts: number[] = [];
  for (const [rendition, listed] of Object.entries(entry.renditions)) {
    const bytes = await collector.segment(rendition, listed.msn!);
    expect(bytes, `${rendition} msn ${listed.msn} (seq ${entry.seq}) seen in a playlist`).toBeDefined();
    expect(bytes, `${rendition} msn ${listed.msn} (seq ${entry.seq}) downloadable`).not.toBeNull();
    const info = await probeMedia(bytes!);
    expect(info.video, `${rendition} msn ${listed.msn} has video`).toBeDefined();
    const start = info.video!.startTime ?? info.startTime;
    const duration = info.video!.duration ?? info.duration;
    expect(Math.abs(start - sourceStart), `${rendition} seq ${entry.seq} first PTS vs source`).toBeLessThanOrEqual(0.1);
    expect(Math.abs(duration - sourceDuration), `${rendition} seq ${entry.seq} duration vs source`).toBeLessThanOrEqual(0.1);
    starts.push(start);
  }
  if (starts.length > 1) expect(Math.max(...starts) - Math.min(...starts)).toBeLessThanOrEqual(1);
}
