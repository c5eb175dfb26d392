import { startRedisServer } from '@lib/runtime';
import type { Pipeline } from './pipeline';

export { broadcasterStatus, clearFaults, pushCounts, setFaults, waitFor } from '@lib/testing';

/**
 * Stops the pipeline's private redis-server (SIGTERM: it flushes its append-only
 * file), keeps it down for `downMs`, and starts it again on the same port and data.
 */
export async function startRedisServerAgain(pipeline: Pipeline, downMs: number): Promise<void> {
  const redis = pipeline.redis;
  if (!redis) throw new Error('this pipeline uses the shared Redis; start it with privateRedis');
  await redis.proc.stop();
  await new Promise((r) => setTimeout(r, downMs));
  redis.proc = await startRedisServer({ port: redis.port, dataDir: redis.dataDir });
}
