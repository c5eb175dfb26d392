/**
 * When a push that has not answered yet is sent to a second broadcaster as well (a hedged
 * request; the first answer wins). A broadcaster that hangs would otherwise hold the segment
 * for its whole read timeout (2 x its duration), and every later segment of the session that
 * went to it too: the republished playlists would go longer than a player tolerates (1.5 x the
 * target duration) without a new segment. A healthy broadcaster answers a segment in a
 * fraction of its duration (that is what live transcoding means), so a push that is a few of
 * its usual round trips late is a push to give a second chance elsewhere. The latest hedge
 * (a quarter of the duration by default) leaves the hedge's own round trip inside the half
 * duration that a player's patience (1.5 x the target) adds to the normal cadence.
 */
export interface HedgeSettings {
  /** Hedge after this many of the broadcaster's usual round trips; 0 turns hedging off. */
  roundTrips: number;
  /** ... but never later than this fraction of the segment's duration. */
  maxFraction: number;
  /** Hedges as a percentage of pushes (HedgeBudget). */
  budgetPercent: number;
}

/** Hedges the budget allows at once (a few sessions of one broadcaster that hangs). */
export const HEDGE_BURST = 5;

/**
 * How many pushes may be hedged: `percent` of the pushes started, at most HEDGE_BURST saved up
 * (a token bucket, full at start). A hedge doubles a segment's transcoding; when pushes are late
 * because every session's segment closed at the same moment (publishers started together), the
 * lateness is the load itself and hedging all of them would double it. A broadcaster that
 * hangs is still left at once by the sessions the budget covers, and by the rest when their
 * pushes fail (its read timeout) and the broadcaster is marked failing.
 */
export class HedgeBudget {
  private tokens = HEDGE_BURST;

  constructor(private readonly percent: number) {}

  pushStarted(): void {
    this.tokens = Math.min(HEDGE_BURST, this.tokens + this.percent / 100);
  }

  /** Whether a hedge may go now (and spends it). */
  take(): boolean {
    // (a tenth added ten times is 0.9999999999999999)
    if (this.tokens < 1 - 1e-9) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Below this a late answer is only noise (event-loop delays, a busy machine). */
export const MIN_HEDGE_DELAY_MS = 250;
/**
 * A broadcaster's ordinary answers are never hedged: at least this many usual round trips
 * (a broadcaster that is always slow would otherwise be hedged on every push, doubling the
 * transcoding it is already short of).
 */
const NEVER_BELOW_ROUND_TRIPS = 1.5;
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
 *
 * A session's first push to a broadcaster (`firstOfSession`: the push that assigned the session
 * there) also sets the session up on it (go-livepeer finds an orchestrator, livepeer-local starts
 * its transcoder): it is hedged only after a whole segment's duration, still well inside its read
 * timeout. Hedged at the usual delay, every session starting at once was pushed twice and moved
 * (at 30 publishers starting together, queued -> uploaded p50 was 905 ms for the first segments).
 */
export function hedgeDelay(
  settings: HedgeSettings,
  durationMs: number,
  usualRoundTripMs: number | undefined,
  firstOfSession = false,
): number | undefined {
  if (settings.roundTrips <= 0) return undefined;
  if (firstOfSession) return Math.max(MIN_HEDGE_DELAY_MS, durationMs);
  const latest = Math.round(settings.maxFraction * durationMs);
  if (usualRoundTripMs === undefined) return Math.max(MIN_HEDGE_DELAY_MS, latest);
  const byRoundTrips = Math.min(latest, Math.round(settings.roundTrips * usualRoundTripMs));
  return Math.max(MIN_HEDGE_DELAY_MS, Math.round(NEVER_BELOW_ROUND_TRIPS * usualRoundTripMs), byRoundTrips);
}
