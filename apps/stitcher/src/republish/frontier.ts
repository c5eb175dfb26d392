import type { DropReason, SegmentState } from '@lib/database';

/**
 * What to do with the next source sequence number of a session (the "frontier").
 *
 * The republished stream advances one source segment at a time, in every variant at once: a
 * segment is listed when every rendition (and the source) has it stored, or skipped in every
 * variant when one of them cannot have it in time. Listing all-or-nothing keeps the variants'
 * media sequence numbers, timestamps and discontinuity sequence numbers identical (docs/hls-rules.md
 * rule 9), which hls.js relies on when it switches levels. Renditions of one segment are made by
 * the same broadcaster in one transcode, so one missing alone is rare; a lost segment costs every
 * variant the same two seconds, marked with a discontinuity.
 *
 * A lost segment must not stall players either (they stall when a live playlist gets no new
 * segment for 1.5 x its target duration, docs/hls-rules.md): once a later seq is ready in every
 * variant, the frontier seq is waited for at most one target duration after the last listing,
 * and a seq that was uploaded but is not coming (later seqs are already listed upstream, or
 * the broadcaster listing it cannot be reached: it died after transcoding it), or whose upload
 * job is held by a worker that died, is pushed again once, if that can still make its
 * deadline, or skipped at once.
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
  | { action: 'list' }
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
  if (facts.ledger) return facts.ledger.ingestedAt + timing.deadlineFactor * facts.ledger.durationMs;
  return (facts.laterKnownSince ?? timing.now) + timing.deadlineFactor * timing.targetDurationMs;
}

export function decide(facts: SeqFacts, timing: FrontierTiming): Decision {
  const names = Object.keys(facts.variants);
  const missing = names.filter((name) => facts.variants[name].state !== 'ready');
  if (missing.length === 0) return { action: 'list' };

  const why = skipWhy(facts, timing, missing);
  if (typeof why === 'object') return why;

  const reasonOf = (name: string): DropReason => (facts.variants[name].state === 'failed' ? 'fetch-failed' : 'not-in-playlist');
  // A variant that had the segment is skipped for its sibling's reason (the stream lost it for that).
  const siblingReason = reasonOf(missing[0]);
  const reasons = Object.fromEntries(
    names.map((name) => [name, facts.variants[name].state === 'ready' ? siblingReason : reasonOf(name)]),
  ) as Record<string, DropReason>;
  return { action: 'skip', reasons, why };
}

/** When the frontier seq, missing in `missing`, stops being waited for: a reason now, or what to do meanwhile. */
function skipWhy(facts: SeqFacts, timing: FrontierTiming, missing: string[]): SkipWhy | Extract<Decision, { action: 'wait' | 'repush' }> {
  // The worker gave the segment up: no broadcaster will ever list it, do not wait.
  if (facts.ledger?.state === 'dropped') return 'dropped-upstream';
  const deadline = deadlineOf(facts, timing);
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

/** The moment waiting longer would leave the playlists without a new segment for a target duration. */
export function stallAtOf(facts: Pick<SeqFacts, 'laterReady'>, timing: FrontierTiming): number {
  if (!facts.laterReady || timing.lastListedAt === undefined) return Infinity;
  return timing.lastListedAt + timing.targetDurationMs;
}
