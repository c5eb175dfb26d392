import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { Gauge, Histogram, type Registry } from 'prom-client';

/** Seconds; a stall near a stitcher lease's renewal margin (a few seconds) is the one that matters. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8];

/**
 * Event-loop delay of the app, from perf_hooks' monitorEventLoopDelay (sampled every
 * `resolutionMs`): each `windowMs` the worst delay of the window goes into the histogram
 * `relay_event_loop_delay_seconds` (so its count is windows, and `le` buckets show how many
 * windows had a stall that long) and the window's p99 into the gauge
 * `relay_event_loop_delay_p99_seconds`. A busy loop delays every timer (lease renewals, upload
 * deadlines, playlist writes); this is the figure to watch under load.
 */
export class EventLoopDelayMetric {
  private readonly monitor: IntervalHistogram;
  private readonly timer: NodeJS.Timeout;

  constructor(registry: Registry, windowMs = 1000, resolutionMs = 10) {
    const worst = new Histogram({
      name: 'relay_event_loop_delay_seconds',
      help: 'Worst event-loop delay of each one-second window.',
      buckets: BUCKETS,
      registers: [registry],
    });
    const p99 = new Gauge({
      name: 'relay_event_loop_delay_p99_seconds',
      help: '99th percentile of the event-loop delay over the last one-second window.',
      registers: [registry],
    });
    this.monitor = monitorEventLoopDelay({ resolution: resolutionMs });
    this.monitor.enable();
    this.timer = setInterval(() => {
      // The monitor reports nanoseconds and counts its own resolution as delay: subtract it.
      const excess = (ns: number) => Math.max(0, ns / 1e9 - resolutionMs / 1000);
      if (this.monitor.count > 0) {
        worst.observe(excess(this.monitor.max));
        p99.set(excess(this.monitor.percentile(99)));
      }
      this.monitor.reset();
    }, windowMs);
    // Never the reason a process stays up.
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.monitor.disable();
  }
}
