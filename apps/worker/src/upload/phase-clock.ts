/** Where a job's wall time goes: the relay's own look-ups, the push, the bookkeeping after. */
export type Phase = 'ledger' | 'prepare' | 'push' | 'record';

/** Sums wall time per phase of one job. */
export class PhaseClock {
  readonly totals: Record<Phase, number> = { ledger: 0, prepare: 0, push: 0, record: 0 };
  private last = performance.now();

  /** Charges the time since the previous lap to `phase`. */
  lap(phase: Phase): void {
    const now = performance.now();
    this.totals[phase] += now - this.last;
    this.last = now;
  }

  /** Totals in whole milliseconds. */
  rounded(): Record<Phase, number> {
    return Object.fromEntries(Object.entries(this.totals).map(([k, v]) => [k, Math.round(v)])) as Record<Phase, number>;
  }

  /** Starts a new lap without charging the time (pauses between retries). */
  skip(): void {
    this.last = performance.now();
  }
}
