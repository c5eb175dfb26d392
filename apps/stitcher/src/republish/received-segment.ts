import { transportStreamProblem } from '@lib/media';
import { CONTENT_TYPES, type StorageService } from '@lib/storage';

/**
 * How much of a segment the stitcher reads when the segment is already in the bucket: the
 * start of the transport stream, where the SPS sits (the master playlist's RESOLUTION and
 * CODECS are checked against it for every segment; findSpsUnitInTransportStream reads no more).
 */
export const SEGMENT_HEAD_BYTES = 64 * 1024;

/**
 * A segment of one variant, ready to be listed. One from a broadcaster's playlist is downloaded
 * whole (`bytes`); one already in the bucket (a rendition the worker stored from the push
 * answer, or ingest's source segment) stays there (`key`): it is listed by a CopyObject, and
 * only its size and first bytes pass through the stitcher (docs/architecture.md, "Per-stream
 * cost").
 */
export interface ReceivedSegment {
  durationMs: number;
  /** bytes in all */
  size: number;
  /** The first SEGMENT_HEAD_BYTES (all of them when shorter). */
  head: Buffer;
  /** The object holding it in the bucket, when it is there already. */
  key?: string;
  /** The whole segment, when it came from outside the bucket. */
  bytes?: Buffer;
}

export type SegmentStorage = Pick<StorageService, 'put' | 'copy' | 'stat' | 'getHead' | 'getBuffer'>;

/**
 * A segment that is not MPEG-TS is never listed: a broadcaster (or whoever answers in its
 * name) sending garbage gets a failed download, retried until the deadline and then a gap.
 */
export class UnusableSegmentError extends Error {}

function checked(segment: ReceivedSegment, from: string): ReceivedSegment {
  const problem = transportStreamProblem(segment.head);
  if (problem) throw new UnusableSegmentError(`${from} is not a usable MPEG-TS segment: ${problem}`);
  return segment;
}

export function receivedBytes(bytes: Buffer, durationMs: number, from = 'the downloaded segment'): ReceivedSegment {
  return checked({ durationMs, size: bytes.length, head: bytes.subarray(0, SEGMENT_HEAD_BYTES), bytes }, from);
}

/** Size and head of a stored segment (one ranged GET instead of the whole object). */
export async function receivedFromBucket(storage: SegmentStorage, key: string, durationMs: number): Promise<ReceivedSegment> {
  const stored = await storage.getHead(key, SEGMENT_HEAD_BYTES);
  if (!stored) throw new Error(`${key} is not in the bucket`);
  return checked({ durationMs, size: stored.size, head: stored.head, key }, key);
}

/** The whole segment: in hand, or read from the bucket (a variant probed anew, a thumbnail). */
export function segmentBytes(storage: SegmentStorage, segment: ReceivedSegment): Promise<Buffer> {
  return segment.bytes ? Promise.resolve(segment.bytes) : storage.getBuffer(segment.key!);
}

/** Stores the segment under `key`: copied inside the bucket when it is there, else written. */
export function storeSegment(storage: SegmentStorage, segment: ReceivedSegment, key: string): Promise<void> {
  return segment.bytes ? storage.put(key, segment.bytes, CONTENT_TYPES.mpegts) : storage.copy(segment.key!, key);
}
