import { z } from 'zod';
import { parseJson, parseWith } from './contract';
import { redisKeys } from './redis-keys';

/**
 * Changes to a stream that a running ingest must act on at once (a disabled stream's
 * live publish ends). Published on a Redis pub/sub channel; ingest also re-reads the
 * stream while publishing, so a missed message only delays the effect by seconds.
 */
export const streamControlEventSchema = z.object({
  type: z.enum(['stream-disabled', 'stream-enabled', 'stream-key-rotated', 'stream-ladder-updated']),
  streamId: z.string().min(1),
  /** Epoch ms of the change. */
  at: z.number(),
});

export type StreamControlEvent = z.infer<typeof streamControlEventSchema>;

/** Channel name under the environment's prefix (defined with every other key name). */
export function streamControlChannel(prefix: string): string {
  return redisKeys(prefix).streamControlChannel();
}

/** The message to publish; throws on an event that breaks the contract. */
export function encodeStreamControlEvent(event: StreamControlEvent): string {
  return JSON.stringify(parseWith(streamControlEventSchema, event, 'stream control event'));
}

/** A received message, or null when it is not a stream control event of this contract. */
export function parseStreamControlEvent(message: string): StreamControlEvent | null {
  const parsed = streamControlEventSchema.safeParse(parseJson(message));
  return parsed.success ? parsed.data : null;
}
