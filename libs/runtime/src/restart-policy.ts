/** How the launcher restarts a crashed process (README settings `RESTART_*`). */
export interface RestartPolicySettings {
  /** Pause before the first restart; it doubles with every crash in a row. */
  backoffMs: number;
  /** The longest pause between restarts. */
  backoffMaxMs: number;
  /** A process up this long counts as healthy again: its next pause is backoffMs. */
  resetAfterMs: number;
  /** This many crashes within crashLoopWindowMs is a crash loop: the process is given up. */
  crashLoopCount: number;
  crashLoopWindowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicySettings = {
  backoffMs: 500,
  backoffMaxMs: 10_000,
  resetAfterMs: 30_000,
  crashLoopCount: 5,
  crashLoopWindowMs: 60_000,
};

export type RestartDecision = { action: 'restart'; delayMs: number } | { action: 'give-up'; crashes: number; windowMs: number };

/**
 * The restart decisions of one supervised process: exponential backoff between
 * restarts (reset once it has stayed up for a while), and a crash loop (too many
 * crashes in a window) ends the restarts. Pure: the caller passes the times.
 */
export class RestartPolicy {
  private crashes: number[] = [];
  private nextDelayMs: number;

  constructor(private readonly settings: RestartPolicySettings) {
    this.nextDelayMs = settings.backoffMs;
  }

  /** Called when the process exited on its own at `now` after running since `startedAt`. */
  onCrash(now: number, startedAt: number): RestartDecision {
    const { backoffMs, backoffMaxMs, resetAfterMs, crashLoopCount, crashLoopWindowMs } = this.settings;
    if (now - startedAt >= resetAfterMs) this.nextDelayMs = backoffMs;
    this.crashes = [...this.crashes.filter((at) => now - at < crashLoopWindowMs), now];
    if (this.crashes.length >= crashLoopCount) {
      return { action: 'give-up', crashes: this.crashes.length, windowMs: crashLoopWindowMs };
    }
    const delayMs = Math.min(this.nextDelayMs, backoffMaxMs);
    this.nextDelayMs = Math.min(this.nextDelayMs * 2, backoffMaxMs);
    return { action: 'restart', delayMs };
  }
}
