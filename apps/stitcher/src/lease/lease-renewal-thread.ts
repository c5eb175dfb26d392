import { Worker } from 'node:worker_threads';
import { RECONNECT_DELAY } from '@lib/queue';

/** Extends the lease only if this copy still holds it. */
export const RENEW_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/** Leases one copy can hold at once (8 bytes of shared memory each). */
const SLOTS = 65_536;

/**
 * The thread's code. Given as source (`eval`) rather than a file, so it runs the same from dist/
 * and under the test runner, which does not compile worker files. It renews every held lease in
 * one pipeline on its own Redis connection every `intervalMs`, and writes the time each renewal
 * was sent into the shared slot of its stream (0 once lost), where the main thread reads it.
 */
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Redis = require(workerData.ioredisPath);
const { stepMs, maxMs } = workerData.reconnect;
const redis = new Redis(workerData.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: false, retryStrategy: (times) => Math.min(stepMs * times, maxMs) });
redis.on('error', () => undefined);
const confirmed = new BigInt64Array(workerData.confirmed);
const held = new Map();
let busy = false;
async function renew() {
  if (busy || held.size === 0) return;
  busy = true;
  const entries = [...held];
  const sent = Date.now();
  try {
    const pipeline = redis.pipeline();
    for (const [, lease] of entries) pipeline.eval(workerData.script, 1, lease.key, workerData.instanceId, workerData.ttlMs);
    const results = (await pipeline.exec()) || [];
    entries.forEach(([slot, lease], i) => {
      const [err, renewed] = results[i] || [new Error('no reply'), 0];
      // Released or reassigned meanwhile: the slot is no longer this lease's.
      if (err || held.get(slot) !== lease) return;
      if (renewed === 1) Atomics.store(confirmed, slot, BigInt(sent));
      else {
        Atomics.store(confirmed, slot, 0n);
        held.delete(slot);
        parentPort.postMessage({ lost: lease.streamId, slot });
      }
    });
  } catch {
    // A Redis error leaves the leases as they were: they lapse locally if errors go on.
  } finally {
    busy = false;
  }
}
const timer = setInterval(renew, workerData.intervalMs);
parentPort.on('message', (m) => {
  if (m.op === 'hold') held.set(m.slot, { key: m.key, streamId: m.streamId });
  else if (m.op === 'drop') held.delete(m.slot);
  else if (m.op === 'stop') {
    clearInterval(timer);
    redis.quit().catch(() => undefined).finally(() => process.exit(0));
  }
});
`;

export interface LeaseRenewalOptions {
  redisUrl: string;
  instanceId: string;
  ttlMs: number;
  intervalMs: number;
  /** Called on the main thread for each lease the thread found taken by another copy. */
  onLost: (streamId: string) => void;
}

/**
 * Renews this copy's stream leases on a worker thread, so a busy main event loop (a long
 * republish loop, a burst of streams starting) cannot delay a renewal past the lease's TTL.
 * The main thread learns of each renewal through shared memory, without waiting for its own
 * loop to turn: `confirmedAt` is a plain read.
 */
export class LeaseRenewalThread {
  private readonly confirmed = new BigInt64Array(new SharedArrayBuffer(SLOTS * 8));
  private readonly slots = new Map<string, number>();
  private readonly free: number[] = [];
  private next = 0;
  private readonly worker: Worker;

  constructor(options: LeaseRenewalOptions) {
    this.worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: {
        redisUrl: options.redisUrl,
        instanceId: options.instanceId,
        ttlMs: options.ttlMs,
        intervalMs: options.intervalMs,
        script: RENEW_SCRIPT,
        confirmed: this.confirmed.buffer,
        ioredisPath: require.resolve('ioredis'),
        // The relay's reconnect pace (libs/queue reconnectDelay): leases renew soon after a Redis restart.
        reconnect: RECONNECT_DELAY,
      },
    });
    this.worker.on('message', (m: { lost?: string; slot?: number }) => {
      // Ignore a report about a slot the main thread has since given to a new hold.
      if (!m.lost || this.slots.get(m.lost) !== m.slot || Atomics.load(this.confirmed, m.slot!) !== 0n) return;
      this.release(m.lost);
      options.onLost(m.lost);
    });
    // The thread is a helper of the process, never the reason it stays up.
    this.worker.unref();
  }

  /** Starts renewing `key` for the stream, confirmed as of `confirmedAt` (when the taking command was sent). */
  hold(streamId: string, key: string, confirmedAt: number): void {
    let slot = this.slots.get(streamId);
    if (slot === undefined) {
      slot = this.free.pop() ?? this.next++;
      if (slot >= SLOTS) throw new Error(`a stitcher copy holds at most ${SLOTS} stream leases`);
      this.slots.set(streamId, slot);
    }
    Atomics.store(this.confirmed, slot, BigInt(confirmedAt));
    this.worker.postMessage({ op: 'hold', slot, key, streamId });
  }

  release(streamId: string): void {
    const slot = this.slots.get(streamId);
    if (slot === undefined) return;
    this.slots.delete(streamId);
    Atomics.store(this.confirmed, slot, 0n);
    this.worker.postMessage({ op: 'drop', slot });
    this.free.push(slot);
  }

  /** When the stream's lease was last confirmed (ms since the epoch), or undefined when not held. */
  confirmedAt(streamId: string): number | undefined {
    const slot = this.slots.get(streamId);
    if (slot === undefined) return undefined;
    const at = Number(Atomics.load(this.confirmed, slot));
    return at > 0 ? at : undefined;
  }

  held(): string[] {
    return [...this.slots.keys()];
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage({ op: 'stop' });
    const timeout = setTimeout(() => void this.worker.terminate(), 2000);
    await exited;
    clearTimeout(timeout);
  }
}
