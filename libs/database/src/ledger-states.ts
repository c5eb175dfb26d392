/**
 * The segment ledger's vocabulary. Every app writes
 * these exact strings, so "nothing lost" is one query over the ledger.
 */
export const SEGMENT_STATES = ['ingested', 'queued', 'uploaded', 'republished', 'dropped'] as const;
export type SegmentState = (typeof SEGMENT_STATES)[number];

export const DROP_REASONS = [
  'no-livepeer-stream',
  'storage-unavailable',
  'queue-unavailable',
  'deadline-exceeded',
  'broadcaster-rejected',
  'not-in-playlist',
  'fetch-failed',
  /** Ingest: longer than the session's target duration (the publisher's keyframe interval grew). */
  'over-target-duration',
  /** Ingest: the segmenter cut a segment whose times are invalid (it ends before it starts). */
  'timestamp-discontinuity',
  /** Ingest: left in the spool by an ingest process that died, found past its live deadline or unreadable on restart. */
  'ingest-restarted',
] as const;
export type DropReason = (typeof DROP_REASONS)[number];

export const SESSION_STATES = ['starting', 'live', 'ended', 'failed'] as const;
export type SessionState = (typeof SESSION_STATES)[number];

/**
 * The "broadcaster" a worker records (in `segments.broadcasters`) for a segment it transcoded
 * itself because no broadcaster could (`FALLBACK_TRANSCODE=local`): each fallback period of a
 * session is a run of such segments, read back by `LedgerService.localTranscodes`.
 */
export const LOCAL_FALLBACK_BROADCASTER = 'local-fallback';

/** The rendition name of the relay's own variant made from ingest's source segments. */
export const SOURCE_RENDITION = 'source';

export const RENDITION_SEGMENT_STATES = ['republished', 'dropped'] as const;
export type RenditionSegmentState = (typeof RENDITION_SEGMENT_STATES)[number];
