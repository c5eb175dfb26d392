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
 * Pure: the caller gathers the facts, this decides.
 */

export type Availability =
  /** Stored in memory, ready to be written and listed. */
  | { state: 'ready' }
  /** Listed upstream (or in the ledger, for the source) but every download so far failed. */
  | { state: 'failed'; error: string }
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
}

export interface FrontierTiming {
  now: number;
  /** A segment may be waited for this many times its duration after ingest. */
  deadlineFactor: number;
  /** Duration assumed for a segment the ledger does not describe. */
  targetDurationMs: number;
}

export type Decision =
  | { action: 'wait'; until: number }
  | { action: 'list' }
  /** Not listed in any variant; the reason per variant is what the ledger records. */
  | { action: 'skip'; reasons: Record<string, DropReason>; why: 'dropped-upstream' | 'deadline' };

/** The moment after which a missing variant is given up. */
export function deadlineOf(facts: Pick<SeqFacts, 'ledger' | 'laterKnownSince'>, timing: FrontierTiming): number {
  if (facts.ledger) return facts.ledger.ingestedAt + timing.deadlineFactor * facts.ledger.durationMs;
  return (facts.laterKnownSince ?? timing.now) + timing.deadlineFactor * timing.targetDurationMs;
}

export function decide(facts: SeqFacts, timing: FrontierTiming): Decision {
  const names = Object.keys(facts.variants);
  const missing = names.filter((name) => facts.variants[name].state !== 'ready');
  if (missing.length === 0) return { action: 'list' };

  // The worker gave the segment up: no broadcaster will ever list it, do not wait.
  const droppedUpstream = facts.ledger?.state === 'dropped';
  const deadline = deadlineOf(facts, timing);
  if (!droppedUpstream && timing.now < deadline) return { action: 'wait', until: deadline };

  const reasonOf = (name: string): DropReason =>
    facts.variants[name].state === 'failed' ? 'fetch-failed' : 'not-in-playlist';
  // A variant that had the segment is skipped for its sibling's reason (the stream lost it for that).
  const siblingReason = reasonOf(missing[0]);
  const reasons = Object.fromEntries(
    names.map((name) => [name, facts.variants[name].state === 'ready' ? siblingReason : reasonOf(name)]),
  ) as Record<string, DropReason>;
  return { action: 'skip', reasons, why: droppedUpstream ? 'dropped-upstream' : 'deadline' };
}
