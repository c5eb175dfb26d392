import { z } from 'zod/v4';
import { DVR_WINDOW_MAX_SECONDS, DVR_WINDOW_MIN_SECONDS, RECORDING_RETENTION_MAX_DAYS } from '@lib/streams';
import { API_KEY_SCOPES, WEBHOOK_DELIVERY_STATUSES } from '@lib/database';
import { LIFECYCLE_EVENT_TYPES } from '@lib/queue';

/**
 * Shapes of the admin API's inputs: validated here (types, required fields) and published in
 * the OpenAPI document. Livepeer's own ladder rules (ranges, unique names, preset names) are
 * checked by @lib/streams with @lib/livepeer's validation, so there is one copy of them. The
 * ladder schemas are loose (unknown fields are kept in zod's output), so those rules still see,
 * and refuse, a field the API does not know.
 */

export const profileSchema = z.looseObject({
  name: z.string().describe('Rendition name: letters, digits, "_", "-", "."'),
  width: z.number().int(),
  height: z.number().int(),
  bitrate: z.number().int().describe('bits per second'),
  fps: z.number().int().describe('0 keeps the source frame rate'),
  fpsDen: z.number().int().optional(),
  gop: z.string().optional().describe('keyframe interval in seconds ("2.0") or "intra"'),
  profile: z.enum(['H264Baseline', 'H264Main', 'H264High', 'H264ConstrainedHigh']).optional(),
});

export const ladderSchema = z
  .looseObject({
    profiles: z.array(profileSchema).optional(),
    presets: z.array(z.string()).optional().describe('lpms preset names, e.g. P360p30fps16x9'),
  })
  .describe('Livepeer profiles and/or preset names; empty means the relay default ladder (P360p30fps16x9, P240p30fps16x9)');

export const streamSettingsSchema = z
  .object({
    record: z.boolean().optional().describe('each session also becomes a VOD recording'),
    dvrWindowSeconds: z
      .number()
      .int('must be an integer')
      .min(DVR_WINDOW_MIN_SECONDS)
      .max(DVR_WINDOW_MAX_SECONDS)
      .nullable()
      .optional()
      .describe('seconds the live media playlists keep (DVR); null: PLAYLIST_WINDOW_SEGMENTS'),
    recordingRetentionDays: z
      .number()
      .int('must be an integer')
      .min(0)
      .max(RECORDING_RETENTION_MAX_DAYS)
      .nullable()
      .optional()
      .describe('days recordings are kept; null: RECORDING_RETENTION_DAYS; 0: until deleted'),
  })
  .strict()
  .describe('Recording and DVR settings; they apply from the next session');

export const createStreamSchema = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  ladder: ladderSchema.optional(),
  ...streamSettingsSchema.shape,
});

export const exportRequestSchema = z.object({
  variant: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be a variant name')
    .describe('e.g. source or a rendition name'),
});

export const idParamSchema = z.object({ id: z.uuid('must be a UUID') });

/** `true`/`false` in a query string. */
const queryBool = () => z.enum(['true', 'false'], { message: 'must be true or false' }).transform((v) => v === 'true');

/**
 * Offset pagination of every list: `limit` rows after skipping `offset`; a full page answers
 * with `X-Next-Offset` (the next page's offset), a short one without it.
 */
const page = {
  limit: z.coerce.number().int('must be an integer').min(1).max(500).default(50),
  offset: z.coerce.number().int('must be an integer').min(0).max(1_000_000).default(0),
};

export const streamListQuerySchema = z.strictObject({
  ...page,
  enabled: queryBool().optional(),
  isActive: queryBool().optional().describe('only streams with (true) or without (false) a live session'),
  name: z.string().trim().min(1).max(200).optional().describe('part of the name, case-insensitive'),
});

export const sessionListQuerySchema = z.strictObject({
  ...page,
  state: z.enum(['live', 'ended', 'all']).default('all'),
  streamId: z.uuid('must be a UUID').optional(),
  protocol: z.enum(['rtmp', 'http']).optional(),
});

/** Cursor pagination of a session's timeline: the newest `limit` segments below `before` (the lowest seq of the previous page). */
export const timelineQuerySchema = z.strictObject({
  limit: z.coerce.number().int('must be an integer').min(1).max(2000).default(200),
  before: z.coerce.number().int('must be an integer').min(0).optional(),
  state: z.enum(['ingested', 'queued', 'uploaded', 'republished', 'dropped']).optional(),
});

/** Unknown fields are refused (400), so a typo never passes as "nothing to change". */
export const updateStreamSchema = z
  .strictObject({
    name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
    ladder: ladderSchema.optional(),
    enabled: z.boolean().optional(),
    ...streamSettingsSchema.shape,
  })
  .refine((v) => Object.keys(v).length > 0, 'give at least one of name, ladder, enabled, record, dvrWindowSeconds, recordingRetentionDays');

export const deleteStreamQuerySchema = z.strictObject({
  force: queryBool().default(false).describe('delete even while live: the publish is ended first'),
});

const eventTypeSchema = z.enum(LIFECYCLE_EVENT_TYPES);

export const createWebhookSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  url: z.string().max(2048, 'must be at most 2048 characters').describe('http(s) URL; hosts limited by WEBHOOK_ALLOWED_HOSTS'),
  events: z.array(eventTypeSchema).min(1, 'must list at least one event type'),
  enabled: z.boolean().optional(),
});

export const updateWebhookSchema = createWebhookSchema
  .partial()
  .refine((v) => Object.keys(v).length > 0, 'give at least one of name, url, events, enabled');

export const pageQuerySchema = z.strictObject(page);

export const deliveryListQuerySchema = z.strictObject({
  ...page,
  status: z.enum(WEBHOOK_DELIVERY_STATUSES).optional(),
  eventType: eventTypeSchema.optional(),
});

export const deliveryParamSchema = z.object({ id: z.uuid('must be a UUID'), deliveryId: z.uuid('must be a UUID') });

export const createApiKeySchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(200),
  scope: z.enum(API_KEY_SCOPES).describe('admin: everything; read: GET and HEAD only'),
});

export const apiKeyListQuerySchema = z.strictObject({ ...page, revoked: queryBool().default(false) });

export const queueNameSchema = z.object({ name: z.string().regex(/^[a-z0-9-]{1,64}$/, 'must be a queue name') });

export type CreateStreamInput = z.output<typeof createStreamSchema>;
export type LadderInput = z.output<typeof ladderSchema>;
export type IdParam = z.output<typeof idParamSchema>;
export type SessionListQuery = z.output<typeof sessionListQuerySchema>;
export type TimelineQuery = z.output<typeof timelineQuerySchema>;
export type QueueNameParam = z.output<typeof queueNameSchema>;
export type StreamSettingsInput = z.output<typeof streamSettingsSchema>;
export type ExportRequest = z.output<typeof exportRequestSchema>;

/** The answer shape of the recordings endpoints (documented in the OpenAPI document; RecordingView in @lib/streams). */
export const recordingViewSchema = z.object({
  id: z.uuid(),
  streamId: z.uuid(),
  sessionIds: z.array(z.uuid()).describe('the sessions it holds: one, or several reconnected within STITCHER_END_GRACE_MS'),
  state: z.enum(['recording', 'ready', 'failed', 'deleted']),
  failureReason: z.string().nullable(),
  startedAt: z.number().describe('epoch ms'),
  endedAt: z.number().nullable(),
  durationMs: z.number().nullable(),
  variants: z.array(z.string()),
  playbackUrl: z.string().nullable().describe('VOD master playlist (/vod/{id}/index.m3u8) once ready'),
  thumbnailUrl: z.string().nullable().describe('a frame from the middle (/vod/{id}/thumbnail.jpg)'),
  expiresAt: z.number().nullable().describe('when recording retention deletes it; null: kept until deleted'),
  mp4: z.array(
    z.object({
      variant: z.string(),
      state: z.enum(['queued', 'running', 'ready', 'failed']),
      progress: z.number().describe('percent'),
      url: z.string().nullable().describe('download (/vod/{id}/{variant}.mp4, HTTP Range supported) once ready'),
      bytes: z.number().nullable(),
      durationMs: z.number().nullable(),
      error: z.string().nullable(),
      requestedAt: z.number(),
    }),
  ),
});
export type StreamListQuery = z.output<typeof streamListQuerySchema>;
export type UpdateStreamInput = z.output<typeof updateStreamSchema>;
export type DeleteStreamQuery = z.output<typeof deleteStreamQuerySchema>;
export type CreateWebhookInput = z.output<typeof createWebhookSchema>;
export type UpdateWebhookInput = z.output<typeof updateWebhookSchema>;
export type PageQuery = z.output<typeof pageQuerySchema>;
export type DeliveryListQuery = z.output<typeof deliveryListQuerySchema>;
export type DeliveryParam = z.output<typeof deliveryParamSchema>;
export type CreateApiKeyInput = z.output<typeof createApiKeySchema>;
export type ApiKeyListQuery = z.output<typeof apiKeyListQuerySchema>;

export const historyQuerySchema = z.object({
  minutes: z.coerce.number().int('must be an integer').min(1, 'must be at least 1').max(60, 'must be at most 60').default(60),
});

export const eventStreamQuerySchema = z.object({
  ticket: z.string().max(200).describe('from POST /api/events/ticket; valid for 30 s'),
});

export type HistoryQuery = z.output<typeof historyQuerySchema>;

// Answers of the dashboard's endpoints, published in the OpenAPI document.
const epochMs = z.number().int().describe('epoch ms');
const series = (what: string) => z.array(z.number().nullable()).describe(what);

export const eventTicketSchema = z.object({
  ticket: z.string().describe('opens GET /api/events?ticket=... once connected; short-lived'),
  expiresAt: epochMs,
});

export const dropSeriesSchema = z.object({
  bucketMs: z.number().int(),
  bucketStart: z.array(epochMs),
  byReason: z.record(z.string(), z.array(z.number().int())).describe('drop reason -> drops per bucket'),
});

export const streamHistorySchema = z.object({
  from: epochMs,
  to: epochMs,
  sessionIds: z.array(z.uuid()),
  segments: z
    .object({
      ingestedAt: z.array(epochMs),
      seq: z.array(z.number().int()),
      roundTripMs: series('push start -> answer of the successful upload (null: not uploaded)'),
      republishLagMs: series('ingest -> listed in the source variant (null: not listed)'),
    })
    .describe('one entry per source segment, columns aligned'),
  drops: dropSeriesSchema,
});

export const broadcasterHistorySchema = z.object({
  from: epochMs,
  to: epochMs,
  bucketMs: z.number().int(),
  bucketStart: z.array(epochMs),
  broadcasters: z.array(
    z.object({
      address: z.string(),
      attempts: z.array(z.number().int()),
      successRate: series('0..1 per bucket (null: no attempt)'),
      meanRoundTripMs: series('per bucket (null: no success)'),
    }),
  ),
});

export const queueHistorySchema = z.object({
  name: z.string(),
  sampleMs: z.number().int(),
  samples: z.array(
    z.object({
      at: epochMs,
      waiting: z.number().int(),
      active: z.number().int(),
      jobsPerSecond: z.number().nullable().describe('jobs finished per second since the previous sample'),
    }),
  ),
});

const overviewCardSchema = z.object({
  sessionId: z.uuid(),
  streamId: z.uuid(),
  streamName: z.string().nullable(),
  playbackId: z.string().nullable(),
  state: z.string(),
  startedAt: epochMs,
  targetDuration: z.number().nullable(),
  newestProgramDateTime: epochMs.nullable().describe("newest listed segment's #EXT-X-PROGRAM-DATE-TIME"),
  newestDurationMs: z.number().int().nullable(),
  drops: z.object({ total: z.number().int(), byReason: z.record(z.string(), z.number().int()) }).describe('in the last dropWindowMs'),
  transcode: z.object({ status: z.string().nullable(), speedFactor: z.number().nullable() }).nullable(),
});

export const overviewSnapshotSchema = z.object({
  serverTime: epochMs,
  dropWindowMs: z.number().int(),
  cards: z.array(overviewCardSchema),
});
