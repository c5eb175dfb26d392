import { z } from 'zod/v4';

/**
 * The worker's announcement that a source segment was uploaded, published on
 * `redisKeys.segmentTranscodedChannel()` right after the ledger row became `uploaded`.
 *
 * - `renditions` set: the broadcaster answered with the renditions (multipart push answer) and
 *   the worker stored each one in the bucket (`objectKeys.transcodedSegment`): the stitcher
 *   republishes them from there at once, without polling the amalgamated playlists.
 * - `renditions` null: the answer had no parts (playlist path): the stitcher polls the
 *   session's rendition playlists now instead of at its next interval.
 *
 * Pub/sub is only the fast path: the same object keys are in the ledger row (`segments.renditions`),
 * which a stitcher that missed the message (restart, takeover) reads.
 */
export const segmentTranscodedSchema = z.object({
  sessionId: z.string().min(1),
  streamId: z.string().min(1),
  seq: z.number().int().min(0),
  /** Epoch ms the upload finished. */
  uploadedAt: z.number().positive(),
  renditions: z.record(z.string().min(1), z.string().min(1)).nullable(),
});

export type SegmentTranscodedEvent = z.infer<typeof segmentTranscodedSchema>;

/** The event in a message, or undefined when the message is not one (logged by the caller). */
export function parseSegmentTranscoded(message: string): SegmentTranscodedEvent | undefined {
  try {
    const parsed = segmentTranscodedSchema.safeParse(JSON.parse(message));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
