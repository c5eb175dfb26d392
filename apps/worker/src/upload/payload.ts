import { z } from 'zod/v4';
import type { UploadSegmentPayload } from '@lib/queue';

/**
 * The queue contract (libs/queue segment-upload.ts) checked at the consumer: a job written
 * by another version of ingest, or by hand, fails with a clear message instead of a PUT to
 * `/live/undefined/NaN.ts`.
 */
const payloadSchema = z.object({
  sessionId: z.string().min(1),
  streamId: z.string().min(1),
  livepeerStreamId: z.string().min(1),
  seq: z.number().int().min(0),
  objectKey: z.string().min(1),
  durationMs: z.number().positive(),
  resolution: z
    .string()
    .regex(/^\d+x\d+$/, 'must be WIDTHxHEIGHT')
    .nullable(),
  bytes: z.number().int().min(0),
  ingestedAt: z.number().positive(),
}) satisfies z.ZodType<UploadSegmentPayload>;

export class InvalidPayloadError extends Error {}

export function parsePayload(data: unknown): UploadSegmentPayload {
  const parsed = payloadSchema.safeParse(data);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`).join('; ');
  throw new InvalidPayloadError(`invalid upload job payload: ${problems}`);
}
