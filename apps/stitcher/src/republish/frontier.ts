import { SOURCE_RENDITION, type DropReason, type SegmentState } from '@lib/database';
import { budgetedDurationMs } from '@lib/timing';

/**
 * What to do with the next source sequence number of a session (the "frontier").
 *
 * The republished stream advances one source segment at a time, in every variant at once, so
 * the variants' media sequence numbers, timestamps and discontinuity sequence numbers stay
 * identical (docs/hls-rules.md rule 9), which hls.js relies on when it switches levels. A
 * segment is listed when every rendition (and the source) has it stored. When renditions cannot
 * have it in time but the source can, it is listed anyway: with media in `source` (and the
 * renditions that have it), and with `#EXT-X-GAP` under the same msn in the others (rule 8), so
 * viewers keep a stream when no broadcaster can transcode, and the renditions resume at the next
 * msn without a discontinuity once one can. Only a segment the source lacks is skipped in every
 * variant (a discontinuity before the next one).
 *
 * A lost segment must not stall players either (they stall when a live playlist gets no new
 * segment for 1.5 x its target duration, docs/hls-rules.md): once a later seq is ready in every
 * variant, or at least in the source while no broadcaster delivered the frontier seq (every
 * broadcaster down: the source sets the pace), the frontier seq is waited for at most one
 * target duration after the last listing (1.25 when only a source is ready),
 * and a seq that was uploaded but is not coming (later seqs are already listed upstream, or
 * the broadcaster listing it cannot be reached: it died after transcoding it), or whose upload
 * job is held by a worker that died, is pushed again once, if that can still make its
 * deadline, or given up at once.
 *
 * Pure: the caller gathers the facts, this decides.
 */

export type Availability =
  /** Stored in memory, ready to be written and listed. */
  | { state: 'ready' }
  /**
   * Listed upstream (or in the ledger, for the source) but every download so far failed;
   * `unreachable`: from a broadcaster that is gone or no longer has it (it will not come from there).
   */
  | { state: 'failed'; error: string; unreachable?: boolean }
  /** Listed upstream (or in the bucket), its download not finished yet. */
  | { state: 'coming' }
  /** Not seen upstream yet. */
  | { state: 'absent' };

export interface LedgerFacts {
  state: SegmentState;
  ingestedAt: number;
  durationMs: number;
}

export interface SeqFacts {
  seq: number;
  /** The source segment's ledger row, when ingest recorded one. */
  ledger?: LedgerFacts;
  /** When a later sequence number was first known (the deadline of a seq without a ledger row counts from it). */
  laterKnownSince?: number;
  /** Per variant name (renditions and `source`). */
  variants: Record<string, Availability>;
  /** A later seq is ready in every variant: listing it is only held up by this one. */
  laterReady?: boolean;
  /** A later seq is listed upstream (or ready) in every variant: this one should have come by now. */
  laterSeen?: boolean;
  /** This seq was already pushed again once. */
  repushed?: boolean;
  /** A later seq has its source ready (its renditions may be missing): it could be listed, with gaps (see stallAtOf). */
  laterSourceReady?: boolean;
  /** Its upload job is held by a worker process that died (upload-repush.ts): it is not coming. */
  orphaned?: boolean;
}

export interface FrontierTiming {
  now: number;
  /** A segment may be waited for this many times its duration after ingest. */
  deadlineFactor: number;
  /** Duration assumed for a segment the ledger does not describe; also the longest gap between listings. */
  targetDurationMs: number;
  /** When the playlists last got a new segment (or the session was opened): the start of the stall budget. */
  lastListedAt?: number;
}

export type Decision =
  | { action: 'wait'; until: number }
  /**
   * List it: with media where the variant has it, with `#EXT-X-GAP` in `gaps` (renditions that
   * could not have it; the reason is what their rows record). `why` says why they were given up.
   */
  | { action: 'list'; gaps: Record<string, DropReason>; why?: SkipWhy }
  /** Uploaded but not coming: enqueue its upload again, then wait as for `wait`. */
  | { action: 'repush'; until: number }
  /** Not listed in any variant; the reason per variant is what the ledger records. */
  | { action: 'skip'; reasons: Record<string, DropReason>; why: SkipWhy };

export type SkipWhy =
  /** The worker dropped it. */
  | 'dropped-upstream'
  /** Its deadline passed. */
  | 'deadline'
  /** Waiting longer would stall players while a later seq is ready. */
  | 'stall'
  /** Uploaded, not coming, and a push again could not make the deadline. */
  | 'not-coming';

/** The moment after which a missing variant is given up. */
export function deadlineOf(facts: Pick<SeqFacts, 'ledger' | 'laterKnownSince'>, timing: FrontierTiming): number {
  // The worker's budget floor (@lib/timing budgetedDurationMs): a short last segment is waited for as long as it is worked on.
  if (facts.ledger) return facts.ledger.ingestedAt + timing.deadlineFactor * budgetedDurationMs(facts.ledger.durationMs);
  return (facts.laterKnownSince ?? timing.now) + timing.deadlineFactor * timing.targetDurationMs;
}

export function decide(facts: SeqFacts, timing: FrontierTiming): Decision {
  const names = Object.keys(facts.variants);
  const missing = names.filter((name) => facts.variants[name].state !== 'ready');
  if (missing.length === 0) return { action: 'list', gaps: {} };

  const why = skipWhy(facts, timing, missing);
  if (typeof why === 'object') return why;

  const reasonOf = (name: string): DropReason => (facts.variants[name].state === 'failed' ? 'fetch-failed' : 'not-in-playlist');
  if (facts.variants[SOURCE_RENDITION]?.state === 'ready') {
    return { action: 'list', gaps: Object.fromEntries(missing.map((name) => [name, reasonOf(name)])), why };
  }
  // A variant that had the segment is skipped for its sibling's reason (the stream lost it for that).
  const siblingReason = reasonOf(missing[0]);
  const reasons = Object.fromEntries(
    names.map((name) => [name, facts.variants[name].state === 'ready' ? siblingReason : reasonOf(name)]),
  ) as Record<string, DropReason>;
  return { action: 'skip', reasons, why };
}

/** When the frontier seq, missing in `missing`, stops being waited for: a reason now, or what to do meanwhile. */
function skipWhy(facts: SeqFacts, timing: FrontierTiming, missing: string[]): SkipWhy | Extract<Decision, { action: 'wait' | 'repush' }> {
  const deadline = deadlineOf(facts, timing);
  // The worker gave the segment up: no broadcaster will ever list it, do not wait for the
  // renditions (only for the source's download, while it can make the deadline).
  if (facts.ledger?.state === 'dropped') {
    const until = Math.min(deadline, stallAtOf(facts, timing));
    if (facts.variants[SOURCE_RENDITION]?.state === 'coming' && timing.now < until) return { action: 'wait', until };
    return 'dropped-upstream';
  }
  if (timing.now >= deadline) return 'deadline';
  const stallAt = stallAtOf(facts, timing);
  if (timing.now >= stallAt) return 'stall';
  const until = Math.min(deadline, stallAt);
  const notComing =
    (facts.ledger?.state === 'queued' && facts.orphaned === true) ||
    (facts.ledger?.state === 'uploaded' &&
      ((facts.laterSeen && missing.some((name) => facts.variants[name].state === 'absent')) ||
        missing.some((name) => {
          const v = facts.variants[name];
          return v.state === 'failed' && v.unreachable === true;
        })));
  if (!notComing || facts.repushed) return { action: 'wait', until };
  // A push again takes about a segment's duration (upload and transcode) before it is listed.
  if (timing.now + facts.ledger!.durationMs > deadline) return 'not-coming';
  return { action: 'repush', until };
}

/**
 * The moment waiting longer would leave the playlists without a new segment for a target
 * duration, when something later could be listed instead: a later seq ready in every variant,
 * or, while no broadcaster has delivered this one yet (every broadcaster down, or just slow),
 * a later seq ready in its source (this one is then listed with gaps). An uploaded seq's
 * renditions exist: only a later seq ready everywhere makes it wait less than its deadline.
 */
export function stallAtOf(facts: Pick<SeqFacts, 'laterReady' | 'laterSourceReady' | 'ledger'>, timing: FrontierTiming): number {
  if (timing.lastListedAt === undefined) return Infinity;
  if (facts.laterReady) return timing.lastListedAt + timing.targetDurationMs;
  const undelivered = facts.ledger?.state !== 'uploaded' && facts.ledger?.state !== 'republished';
  if (facts.laterSourceReady && undelivered) return timing.lastListedAt + SOURCE_PACED_BUDGET * timing.targetDurationMs;
  return Infinity;
}

/**
 * Target durations after the last listing that a seq no broadcaster delivered yet is waited
 * for when only the source of a later one is ready: more than the 1 of a seq stuck behind a
 * ready one (a transcode that is merely slow, a local fallback one, still makes it), less than
 * the 1.5 players stall at.
 */
export const SOURCE_PACED_BUDGET = 1.25;
