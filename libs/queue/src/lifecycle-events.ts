import type Redis from 'ioredis';
import { z } from 'zod/v4';
import { parseJson } from './contract';

/**
 * Domain events of the relay's assets, published on `redisKeys.lifecycleEventsChannel()` for
 * whatever acts on them (webhook delivery subscribes). One JSON object per message, told apart
 * by `type`; `at` is the epoch ms of the change. Pub/sub is fire and forget: the database rows
 * (recordings, recording_exports) are the record, an event only says that they changed.
 */
const base = { at: z.number(), streamId: z.string().min(1), recordingId: z.string().min(1) };

export const lifecycleEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('recording.ready'),
    ...base,
    sessionIds: z.array(z.string().min(1)),
    durationMs: z.number().int().min(0),
    variants: z.array(z.string().min(1)),
    /** Path of the VOD master playlist on the stitcher (`/vod/{recordingId}/index.m3u8`). */
    playbackPath: z.string().min(1),
  }),
  z.object({ type: z.literal('recording.failed'), ...base, reason: z.string() }),
  z.object({
    type: z.literal('asset.export-ready'),
    ...base,
    variant: z.string().min(1),
    bytes: z.number().int().min(0),
    durationMs: z.number().int().min(0),
    /** Path of the MP4 on the stitcher (`/vod/{recordingId}/{variant}.mp4`). */
    downloadPath: z.string().min(1),
  }),
  z.object({ type: z.literal('asset.export-failed'), ...base, variant: z.string().min(1), reason: z.string() }),
]);

export type LifecycleEvent = z.infer<typeof lifecycleEventSchema>;
export type LifecycleEventType = LifecycleEvent['type'];

/** The message to publish; throws on an event that breaks the contract. */
export function encodeLifecycleEvent(event: LifecycleEvent): string {
  return JSON.stringify(lifecycleEventSchema.parse(event));
}

/** A received message, or null when it is not a lifecycle event of this contract. */
export function parseLifecycleEvent(message: string): LifecycleEvent | null {
  const parsed = lifecycleEventSchema.safeParse(parseJson(message));
  return parsed.success ? parsed.data : null;
}

/** Publishes one event; false when Redis did not take it (best effort, the row is the record). */
export async function publishLifecycleEvent(redis: Pick<Redis, 'publish'>, channel: string, event: LifecycleEvent): Promise<boolean> {
  try {
    await redis.publish(channel, encodeLifecycleEvent(event));
    return true;
  } catch {
    return false;
  }
}
