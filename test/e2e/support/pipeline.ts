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
  /** Ingest -> republished (ms) of each republished seq, for the case's log line: how close the slowest came to being skipped. */
  lags: Array<{ seq: number; ms: number }>;
}

/** The median and the slowest of `lags`, as a log line's part. */
export function describeLags(lags: Outcome['lags']): string {
  if (lags.length === 0) return 'no segment republished';
  const sorted = [...lags].sort((a, b) => a.ms - b.ms);
  const slowest = sorted[sorted.length - 1];
  return `ingest -> republished p50 ${sorted[Math.floor(sorted.length / 2)].ms} ms, slowest ${slowest.ms} ms (seq ${slowest.seq})`;
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
  const sessions = await pipeline.sessions(stream);
  const timelines = await Promise.all(sessions.map((session) => pipeline.timeline(session.id)));
  if (limits.stallFree) {
    const during = timelines.flatMap((timeline) => describeSeqs(timeline, seqsDuring(timeline, stalls)));
    expect(stalls, `playlists without a new segment for over 1.5 x target duration\n${during.join('\n')}`).toEqual([]);
  }
  const renditions = [...watcher.media.keys()].sort();
  expect(renditions).toEqual([...LADDER, 'source'].sort());

  const outcome: Outcome = { ingested: 0, republished: 0, drops: [], renditions, stalls, lags: [] };
  const around: string[] = [];
  for (const [i, session] of sessions.entries()) {
    const timeline = timelines[i];
    around.push(...describeSeqs(timeline, dropNeighbourhoods(timeline)));
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
      if (entry.republishedAt && entry.ingestedAt) outcome.lags.push({ seq: entry.seq, ms: entry.republishedAt - entry.ingestedAt });
      await checkSegment(pipeline, collector, session.id, entry);
    }
  }
  expect(outcome.drops.length, `drops: ${JSON.stringify(outcome.drops)}\n${around.join('\n')}`).toBeLessThanOrEqual(limits.maxDrops);
  if (limits.republishedAfter) {
    const last = sessions[sessions.length - 1];
    const after = (await pipeline.timeline(last.id)).filter((e) => e.seq > limits.republishedAfter!.seq && e.state === 'republished');
    expect(after.length, 'segments republished after the fault').toBeGreaterThanOrEqual(limits.republishedAfter.atLeast);
  }
  return outcome;
}

/** Each dropped seq with its neighbours. */
function dropNeighbourhoods(timeline: TimelineEntry[]): number[] {
  const isDropped = (e: TimelineEntry) => e.state === 'dropped' || Object.values(e.renditions).some((r) => r.state === 'dropped');
  return timeline.filter(isDropped).flatMap((e) => [e.seq - 1, e.seq, e.seq + 1]);
}

/** The seqs ingested from a target duration before a stall to its end: the ones that were late, and why. */
function seqsDuring(timeline: TimelineEntry[], stalls: Outcome['stalls']): number[] {
  return timeline
    .filter((e) => e.ingestedAt && stalls.some((stall) => e.ingestedAt! >= stall.from - e.durationMs && e.ingestedAt! <= stall.to))
    .map((e) => e.seq);
}

/**
 * One line per seq with its steps' times relative to its ingest: a failure message that says
 * where the time went (a slow transcode, a late queue, a hedge, a repush).
 */
function describeSeqs(timeline: TimelineEntry[], seqs: number[]): string[] {
  const bySeq = new Map(timeline.map((entry) => [entry.seq, entry]));
  const after = (at: number | null | undefined, from: number | undefined) => (at && from ? `+${at - from}` : '-');
  return [...new Set(seqs)]
    .sort((a, b) => a - b)
    .flatMap((seq) => {
      const e = bySeq.get(seq);
      if (!e) return [];
      const variants = Object.entries(e.renditions).map(([name, r]) => `${name}:${r.state}${r.dropReason ? `(${r.dropReason})` : ''}`);
      return [
        `  seq ${seq} ${e.state} (ingested at ${e.ingestedAt ?? '-'} epoch ms): ` +
          `queued ${after(e.queuedAt, e.ingestedAt)} uploaded ${after(e.uploadedAt, e.ingestedAt)} ` +
          `republished ${after(e.republishedAt, e.ingestedAt)} ms, round trip ${e.roundTripMs ?? '-'} ms, ` +
          `attempts ${e.attempts ?? '-'} via ${(e.broadcasters ?? []).join(',') || '-'}; ${variants.join(' ')}`,
      ];
    });
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
