import { z } from 'zod/v4';

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

export const createStreamSchema = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  ladder: ladderSchema.optional(),
});

export const idParamSchema = z.object({ id: z.uuid('must be a UUID') });

export const sessionListQuerySchema = z.object({
  state: z.enum(['live', 'ended', 'all']).default('all'),
  streamId: z.uuid('must be a UUID').optional(),
  limit: z.coerce.number().int('must be an integer').min(1).max(500).default(50),
});

export const timelineQuerySchema = z.object({
  limit: z.coerce.number().int('must be an integer').min(1).max(2000).default(200),
});

export const queueNameSchema = z.object({ name: z.string().regex(/^[a-z0-9-]{1,64}$/, 'must be a queue name') });

export type CreateStreamInput = z.output<typeof createStreamSchema>;
export type LadderInput = z.output<typeof ladderSchema>;
export type IdParam = z.output<typeof idParamSchema>;
export type SessionListQuery = z.output<typeof sessionListQuerySchema>;
export type TimelineQuery = z.output<typeof timelineQuerySchema>;
export type QueueNameParam = z.output<typeof queueNameSchema>;
