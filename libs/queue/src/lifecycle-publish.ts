import type Redis from 'ioredis';
import { encodeLifecycleEvent, type LifecycleEvent } from './lifecycle-events';

/** Publishes one lifecycle event; false when Redis did not take it (best effort: the database rows are the record). */
export async function publishLifecycleEvent(redis: Pick<Redis, 'publish'>, channel: string, event: LifecycleEvent): Promise<boolean> {
  try {
    await redis.publish(channel, encodeLifecycleEvent(event));
    return true;
  } catch {
    return false;
  }
}
