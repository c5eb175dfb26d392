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
  /** The live thumbnail (latest listed segment's first keyframe). */
  hlsThumbnail: (playbackId: string) => `hls/${playbackId}/thumbnail.jpg`,
  /**
   * A recording's own objects: copies of its republished segments, its VOD playlists, thumbnail
   * and MP4 exports. Never under `hls/` or `segments/`, so the live window's cleanup and the
   * session retention cannot reach them; deleting a recording removes this prefix.
   */
  recording: (recordingId: string) => `recordings/${recordingId}/`,
  recordingMaster: (recordingId: string) => `recordings/${recordingId}/index.m3u8`,
  recordingMedia: (recordingId: string, variant: string) => `recordings/${recordingId}/${variant}/index.m3u8`,
  recordingSegment: (recordingId: string, variant: string, msn: number) => `recordings/${recordingId}/${variant}/${msn}.ts`,
  recordingThumbnail: (recordingId: string) => `recordings/${recordingId}/thumbnail.jpg`,
  recordingMp4: (recordingId: string, variant: string) => `recordings/${recordingId}/export/${variant}.mp4`,
};

export const CONTENT_TYPES = {
  mpegts: 'video/mp2t',
  playlist: 'application/vnd.apple.mpegurl',
  json: 'application/json',
  jpeg: 'image/jpeg',
  mp4: 'video/mp4',
} as const;
