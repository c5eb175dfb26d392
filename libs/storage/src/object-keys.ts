/**
 * Object keys (docs/design-notes.md, "Object keys"). Every app builds keys here, so the layout
 * of the bucket has one definition.
 */
export const objectKeys = {
  /** A source segment cut by ingest. */
  sourceSegment: (sessionId: string, seq: number) => `segments/${sessionId}/${seq}.ts`,
  /** Prefix of all source segments of a session (for retention). */
  sourceSession: (sessionId: string) => `segments/${sessionId}/`,
  /**
   * A rendition of a source segment as the broadcaster returned it in its push answer (stored by
   * the worker, republished by the stitcher). Under the session's prefix, so retention takes it too.
   */
  transcodedSegment: (sessionId: string, rendition: string, seq: number) => `segments/${sessionId}/renditions/${rendition}/${seq}.ts`,
  hlsMaster: (playbackId: string) => `hls/${playbackId}/index.m3u8`,
  hlsMedia: (playbackId: string, rendition: string) => `hls/${playbackId}/${rendition}/index.m3u8`,
  hlsSegment: (playbackId: string, rendition: string, msn: number) => `hls/${playbackId}/${rendition}/${msn}.ts`,
  hlsStream: (playbackId: string) => `hls/${playbackId}/`,
};

export const CONTENT_TYPES = {
  mpegts: 'video/mp2t',
  playlist: 'application/vnd.apple.mpegurl',
  json: 'application/json',
} as const;
