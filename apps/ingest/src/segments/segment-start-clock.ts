/**
 * When each segment's first frame reached ingest (the ledger's `started_at`, written by the
 * stitcher as `#EXT-X-PROGRAM-DATE-TIME`, docs/architecture.md "Data model").
 *
 * RTMP: the wall clock is read once, when the publish's first media tag arrives (the anchor);
 * a segment starts that long after it on the media timeline. ffmpeg's segment list gives each
 * cut's start in seconds from the input's first timestamp, which is the anchor tag's, so a
 * segment's start is the anchor's wall time plus its start offset: PDTs are spaced exactly by
 * media time and cannot drift with the pipeline's delays. HTTP push: the arrival of the push.
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
  private last?: number;

  /** The publish's first media tag arrived (later calls keep the first anchor). */
  anchor(wallMs: number): void {
    this.anchorWallMs ??= wallMs;
  }

  get anchored(): boolean {
    return this.anchorWallMs !== undefined;
  }

  /** A cut starting `startSeconds` into the input (segment list time). */
  cutAt(startSeconds: number, fallbackWallMs: number): number {
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
