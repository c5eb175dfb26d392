import { SOURCE_RENDITION, type DropReason } from '@lib/database';

/** Drop reasons that say transcoding failed (rather than the input or the relay's own stores). */
export const TRANSCODING_DROP_REASONS: ReadonlySet<string> = new Set<DropReason>([
  'no-livepeer-stream',
  'deadline-exceeded',
  'broadcaster-rejected',
  'not-in-playlist',
  'fetch-failed',
]);

/** Consecutive seqs listed in every variant after which a degraded session counts as recovered. */
export const RECOVERY_LISTINGS = 3;

export type HealthChange = { type: 'degraded'; seq: number; reasons: Record<string, string> } | { type: 'recovered'; seq: number };

/**
 * A session's transcode status from the frontier's outcomes: degraded at the first seq skipped
 * in a rendition for a transcoding reason, recovered once RECOVERY_LISTINGS seqs in a row are
 * listed in every variant. The hysteresis keeps one lost segment among good ones from sending
 * a pair of events per segment.
 */
export class TranscodeHealth {
  private degraded = false;
  private goodRun = 0;

  listed(seq: number): HealthChange | null {
    if (!this.degraded) return null;
    if (++this.goodRun < RECOVERY_LISTINGS) return null;
    this.degraded = false;
    return { type: 'recovered', seq };
  }

  skipped(seq: number, reasons: Record<string, string>): HealthChange | null {
    const transcoding = Object.fromEntries(
      Object.entries(reasons).filter(([variant, reason]) => variant !== SOURCE_RENDITION && TRANSCODING_DROP_REASONS.has(reason)),
    );
    if (Object.keys(transcoding).length === 0) return null;
    this.goodRun = 0;
    if (this.degraded) return null;
    this.degraded = true;
    return { type: 'degraded', seq, reasons: transcoding };
  }
}
