/** Whether segments of a session can be enqueued: they need its Livepeer stream id. */
export type GateOutcome = { ready: true; livepeerStreamId: string } | { ready: false; reason: string };

/**
 * Segments cut before the session's Livepeer stream exists wait here (they are already
 * in the object store) until it is created, until it can no longer be (a 422, the
 * publish ended), or until their own live deadline passes.
 */
export class LivepeerGate {
  private outcome?: GateOutcome;
  private readonly waiters = new Set<(outcome: GateOutcome) => void>();

  get livepeerStreamId(): string | undefined {
    return this.outcome?.ready ? this.outcome.livepeerStreamId : undefined;
  }

  open(livepeerStreamId: string): void {
    this.settle({ ready: true, livepeerStreamId });
  }

  /** The stream will never exist for this session; waiting segments are dropped with `reason`. */
  close(reason: string): void {
    this.settle({ ready: false, reason });
  }

  /** Resolves with the outcome, or with a refusal once `deadline` (epoch ms) passes first. */
  wait(deadline: number, now: () => number = Date.now): Promise<GateOutcome> {
    if (this.outcome) return Promise.resolve(this.outcome);
    return new Promise((resolve) => {
      const done = (outcome: GateOutcome) => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve(outcome);
      };
      const timer = setTimeout(
        () => done({ ready: false, reason: 'the Livepeer stream did not exist before the live deadline' }),
        Math.max(0, deadline - now()),
      );
      this.waiters.add(done);
    });
  }

  private settle(outcome: GateOutcome): void {
    if (this.outcome) return;
    this.outcome = outcome;
    for (const waiter of [...this.waiters]) waiter(outcome);
  }
}
