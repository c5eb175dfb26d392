import { redisKeys } from '@lib/queue';

/**
 * Changes to a stream that a running ingest must act on at once (a disabled stream's
 * live publish ends). Published on a Redis pub/sub channel; ingest also re-reads the
 * stream while publishing, so a missed message only delays the effect by seconds.
 */
export interface StreamControlEvent {
  type: 'stream-disabled' | 'stream-enabled' | 'stream-key-rotated' | 'stream-ladder-updated';
  streamId: string;
  at: number;
}

/** Channel name under the environment's prefix (defined with every other key name). */
export function streamControlChannel(prefix: string): string {
  return redisKeys(prefix).streamControlChannel();
}

export function parseStreamControlEvent(message: string): StreamControlEvent | null {
  try {
    const event = JSON.parse(message) as Partial<StreamControlEvent>;
    if (typeof event.type === 'string' && typeof event.streamId === 'string') return event as StreamControlEvent;
  } catch {
    /* not ours */
  }
  return null;
}
