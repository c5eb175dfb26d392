import { z } from 'zod';
import { parseJson, parseWith } from './contract';

/**
 * The session-events channel (redisKeys.sessionEventsChannel): ingest announces a session's
 * start, first upload and end; the stitcher subscribes and rescans at once instead of at its
 * next poll. Both sides go through this schema.
 */
export const sessionEventSchema = z.object({
  type: z.enum(['session-started', 'session-live', 'session-ended']),
  sessionId: z.string().min(1),
  streamId: z.string().min(1),
  /** Epoch ms of the change. */
  at: z.number(),
});

export type SessionEvent = z.infer<typeof sessionEventSchema>;

/** The message to publish; throws on an event that breaks the contract. */
export function encodeSessionEvent(event: SessionEvent): string {
  return JSON.stringify(parseWith(sessionEventSchema, event, 'session event'));
}

/** A received message, or null when it is not a session event of this contract. */
export function parseSessionEvent(message: string): SessionEvent | null {
  const parsed = sessionEventSchema.safeParse(parseJson(message));
  return parsed.success ? parsed.data : null;
}
