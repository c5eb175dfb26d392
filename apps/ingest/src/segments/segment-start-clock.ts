/**
 * When each segment's first frame reached ingest (the ledger's `started_at`, written by the
 * stitcher as `#EXT-X-PROGRAM-DATE-TIME`, docs/architecture.md "Data model").
 *
 * RTMP: the anchor is the wall time of the publish's media time 0 (its first media tag); a
 * segment starts its start offset after it on the media timeline (the segmenter gives each cut's
 * start in seconds from the first tag's timestamp), so PDTs are spaced exactly by media time and
 * cannot drift with the pipeline's delays. The anchor is first the first tag's arrival; until the
 * first cut, a later tag that arrives earlier than the anchor implies (arrival - media offset)
 * moves it back, never before the publish was accepted: an encoder sends the frames it held while
 * its publish was being accepted in a burst, and anchoring on the first of them would make every
 * start time late by that wait (and segments close "before" their media had arrived). From the
 * first cut on the anchor is fixed. HTTP push: the arrival of the push.
 * Either way a session's start times strictly increase.
 */

/** Epoch ms of a segment that starts `startSeconds` after the anchor, strictly after `previous`. */
export function segmentStartedAt(anchorWallMs: number, startSeconds: number, previous: number | undefined): number {
  return strictlyAfter(anchorWallMs + Math.round(startSeconds * 1000), previous);
}

/** `candidate`, or the millisecond after `previous` when it is not later. */
export function strictlyAfter(candidate: number, previous: number | undefined): number {
  return previous === undefined || candidate > previous ? candidate : previous + 1;
}

/** One publish's segment start times. */
export class SegmentStartClock {
  private anchorWallMs?: number;
  private floorWallMs = -Infinity;
  private fixed = false;
  private last?: number;

  /** The earliest the publish's media can have started: the anchor never moves before it. */
  notBefore(wallMs: number): void {
    this.floorWallMs = wallMs;
  }

  /** The publish's first media tag arrived (later calls keep the first anchor). */
  anchor(wallMs: number): void {
    this.anchorWallMs ??= wallMs;
  }

  get anchored(): boolean {
    return this.anchorWallMs !== undefined;
  }

  /** A media tag `mediaOffsetMs` after the anchor tag arrived at `wallMs` (moves the anchor back until the first cut). */
  observe(wallMs: number, mediaOffsetMs: number): void {
    if (this.fixed || this.anchorWallMs === undefined) return;
    this.anchorWallMs = Math.min(this.anchorWallMs, Math.max(this.floorWallMs, wallMs - mediaOffsetMs));
  }

  /** A cut starting `startSeconds` into the input (media time from the first tag's timestamp). */
  cutAt(startSeconds: number, fallbackWallMs: number): number {
    this.fixed = true;
    this.last =
      this.anchorWallMs === undefined
        ? strictlyAfter(fallbackWallMs, this.last)
        : segmentStartedAt(this.anchorWallMs, startSeconds, this.last);
    return this.last;
  }

  /** A segment whose first byte arrived at `wallMs` (HTTP push). */
  arrivedAt(wallMs: number): number {
    this.last = strictlyAfter(wallMs, this.last);
    return this.last;
  }
}
