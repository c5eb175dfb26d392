import { DEFAULT_RESTART_POLICY, RestartPolicy } from './restart-policy';

describe('RestartPolicy', () => {
  const settings = { ...DEFAULT_RESTART_POLICY, crashLoopCount: 100 };

  it('doubles the pause from 0.5 s up to 10 s for crashes in a row', () => {
    const policy = new RestartPolicy(settings);
    const delays: number[] = [];
    let now = 0;
    for (let i = 0; i < 8; i++) {
      const decision = policy.onCrash(now + 1000, now);
      if (decision.action !== 'restart') throw new Error('gave up');
      delays.push(decision.delayMs);
      now += 1000 + decision.delayMs;
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  it('starts the backoff over once the process stayed up for resetAfterMs', () => {
    const policy = new RestartPolicy(settings);
    expect(policy.onCrash(1000, 0)).toEqual({ action: 'restart', delayMs: 500 });
    expect(policy.onCrash(2000, 1500)).toEqual({ action: 'restart', delayMs: 1000 });
    expect(policy.onCrash(3000, 2500)).toEqual({ action: 'restart', delayMs: 2000 });
    expect(policy.onCrash(40_000, 5000)).toEqual({ action: 'restart', delayMs: 500 });
    expect(policy.onCrash(41_000, 40_500)).toEqual({ action: 'restart', delayMs: 1000 });
  });

  it('gives up at the crashLoopCount-th crash within the window, not when crashes are spread out', () => {
    const loop = new RestartPolicy(DEFAULT_RESTART_POLICY);
    const decisions = [1, 2, 3, 4, 5].map((i) => loop.onCrash(i * 5000, i * 5000 - 100));
    expect(decisions.slice(0, 4).every((d) => d.action === 'restart')).toBe(true);
    expect(decisions[4]).toEqual({ action: 'give-up', crashes: 5, windowMs: 60_000 });

    const spread = new RestartPolicy(DEFAULT_RESTART_POLICY);
    const spreadDecisions = [1, 2, 3, 4, 5, 6, 7].map((i) => spread.onCrash(i * 20_000, i * 20_000 - 100));
    expect(spreadDecisions.every((d) => d.action === 'restart')).toBe(true);
  });
});
