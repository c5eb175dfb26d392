import { createHash } from 'node:crypto';
import { z } from 'zod/v4';
import { parseJson, parseWith } from './contract';

/**
 * Lifecycle events: what an application built on the relay wants to hear about (a stream went
 * live, went idle, its transcoding degraded or recovered, a recording or export is ready or
 * failed). One schema for every producer (the stitcher's republishing, the recordings side on
 * `redisKeys.lifecycleEventsChannel()`) and for the webhook bodies sent to endpoints: a body is
 * exactly one event of this schema, so a receiver validates against the same document.
 */
export const LIFECYCLE_EVENT_TYPES = [
  'stream.started',
  'stream.idle',
  'stream.transcoding-degraded',
  'stream.transcoding-recovered',
  'recording.ready',
  'recording.failed',
  'asset.export-ready',
  'asset.export-failed',
] as const;
export type LifecycleEventType = (typeof LIFECYCLE_EVENT_TYPES)[number];

const base = {
  /** Stable per occurrence: the same event produced twice (a takeover, a retry) has the same id; receivers drop repeats by it. */
  id: z.string().min(1).max(128),
  /** Epoch ms when it happened. */
  timestamp: z.number().int().nonnegative(),
  streamId: z.string().min(1),
  sessionId: z.string().min(1).nullable(),
  recordingId: z.string().min(1).nullable(),
};

/** Variant names -> the drop reason of the seq that degraded the session. */
const reasonsSchema = z.record(z.string(), z.string());

export const lifecycleEventSchema = z.discriminatedUnion('type', [
  z.object({ ...base, type: z.literal('stream.started'), data: z.object({ playbackId: z.string() }) }),
  z.object({ ...base, type: z.literal('stream.idle'), data: z.object({ playbackId: z.string(), endedAt: z.number().nullable() }) }),
  z.object({
    ...base,
    type: z.literal('stream.transcoding-degraded'),
    data: z.object({ seq: z.number().int(), reasons: reasonsSchema }),
  }),
  z.object({ ...base, type: z.literal('stream.transcoding-recovered'), data: z.object({ seq: z.number().int() }) }),
  // The recordings side owns these details; kept open so it can add fields without a contract change.
  z.object({ ...base, type: z.literal('recording.ready'), data: z.record(z.string(), z.unknown()).default({}) }),
  z.object({ ...base, type: z.literal('recording.failed'), data: z.record(z.string(), z.unknown()).default({}) }),
  z.object({ ...base, type: z.literal('asset.export-ready'), data: z.record(z.string(), z.unknown()).default({}) }),
  z.object({ ...base, type: z.literal('asset.export-failed'), data: z.record(z.string(), z.unknown()).default({}) }),
]);

export type LifecycleEvent = z.infer<typeof lifecycleEventSchema>;
export type LifecycleEventOf<T extends LifecycleEventType> = Extract<LifecycleEvent, { type: T }>;

/**
 * The id of one occurrence, derived from what identifies it (type, session, seq...), so every
 * stitcher copy that reports it (after a takeover, say) names it the same.
 */
export function lifecycleEventId(type: LifecycleEventType, ...parts: (string | number)[]): string {
  return `evt_${createHash('sha256')
    .update([type, ...parts].join('\n'))
    .digest('hex')
    .slice(0, 32)}`;
}

/** Validated event; throws on one that breaks the contract. */
export function parseLifecycleEvent(data: unknown): LifecycleEvent {
  return parseWith(lifecycleEventSchema, data, 'lifecycle event');
}

/** The message to publish on the lifecycle channel. */
export function encodeLifecycleEvent(event: LifecycleEvent): string {
  return JSON.stringify(parseLifecycleEvent(event));
}

/** A received channel message, or null when it is not a lifecycle event of this contract. */
export function decodeLifecycleEvent(message: string): LifecycleEvent | null {
  const parsed = lifecycleEventSchema.safeParse(parseJson(message));
  return parsed.success ? parsed.data : null;
}
