import { Registry } from 'prom-client';
import { EventLoopDelayMetric } from './event-loop-delay';

/** Blocks the event loop for `ms` (the stall the metric must see). */
function busyFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    /* spin */
  }
}

describe('EventLoopDelayMetric', () => {
  it('records a stall of the event loop as the worst delay of its window', async () => {
    const registry = new Registry();
    const metric = new EventLoopDelayMetric(registry, 100, 5);
    try {
      // The monitor measures between its own samples: let it take some before the stall.
      await new Promise((resolve) => setTimeout(resolve, 50));
      busyFor(300);
      // Wait for proof three windows closed (the stall's sample may land in the one after it ends).
      let text = '';
      for (let i = 0; i < 200 && !/relay_event_loop_delay_seconds_count ([3-9]|\d\d)/.test(text); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        text = await registry.metrics();
      }
      const sum = Number(/relay_event_loop_delay_seconds_sum (\S+)/.exec(text)?.[1]);
      // At least most of the 300 ms stall is seen (the monitor samples every 5 ms).
      expect(sum).toBeGreaterThanOrEqual(0.2);
      expect(text).toMatch(/relay_event_loop_delay_p99_seconds \d/);
    } finally {
      metric.stop();
    }
  });
});
