/**
 * When a push that has not answered yet is sent to a second broadcaster as well (a hedged
 * request; the first answer wins). A broadcaster that hangs would otherwise hold the segment
 * for its whole read timeout (2 x its duration), and every later segment of the session that
 * went to it too: the republished playlists would go longer than a player tolerates (1.5 x the
 * target duration) without a new segment. A healthy broadcaster answers a segment in a
 * fraction of its duration (that is what live transcoding means), so a push that is a few of
 * its usual round trips late is a push to give a second chance elsewhere.
 */
export interface HedgeSettings {
  /** Hedge after this many of the broadcaster's usual round trips; 0 turns hedging off. */
  roundTrips: number;
  /** ... but never later than this fraction of the segment's duration. */
  maxFraction: number;
}

/** Below this a late answer is only noise (event-loop delays, a busy machine). */
export const MIN_HEDGE_DELAY_MS = 250;
/** Weight of the newest round trip in a broadcaster's usual round trip. */
const SMOOTHING = 0.2;

/** Each broadcaster's usual round trip as this worker saw it (an exponentially weighted mean). */
export class RoundTripTracker {
  private readonly usual = new Map<string, number>();

  observe(address: string, roundTripMs: number): void {
    const previous = this.usual.get(address);
    this.usual.set(address, previous === undefined ? roundTripMs : previous + SMOOTHING * (roundTripMs - previous));
  }

  usualOf(address: string): number | undefined {
    return this.usual.get(address);
  }
}

/**
 * The hedge delay of a push to `address` (ms after it started), or undefined when it is not
 * hedged. A broadcaster this worker has no round trip of yet gets the longest delay.
 */
export function hedgeDelay(settings: HedgeSettings, durationMs: number, usualRoundTripMs: number | undefined): number | undefined {
  if (settings.roundTrips <= 0) return undefined;
  const latest = Math.round(settings.maxFraction * durationMs);
  const byRoundTrips = usualRoundTripMs === undefined ? latest : Math.round(settings.roundTrips * usualRoundTripMs);
  return Math.max(MIN_HEDGE_DELAY_MS, Math.min(latest, byRoundTrips));
}
