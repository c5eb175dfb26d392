/**
 * The duration a segment's time budget (read timeouts, live deadlines) is a multiple of: its own,
 * but never under MIN_BUDGETED_SEGMENT_MS. A push, a transcode and a listing each cost a fixed
 * overhead whatever the media's length, so the very short segment a publish ends with (the
 * partial one flushed when it stops, or when ingest shuts down) got 5 x 0.3 s to reach players
 * and was dropped (`deadline-exceeded`) on a loaded machine while every whole segment made it.
 * Whole segments (1 s and up) keep exactly their own budget.
 */
export const MIN_BUDGETED_SEGMENT_MS = 1000;

export function budgetedDurationMs(durationMs: number): number {
  return Math.max(durationMs, MIN_BUDGETED_SEGMENT_MS);
}
