/** The parsed form of playlists (what `parse.ts` returns). */

export interface MediaSegment {
  uri: string;
  /** Seconds, from `#EXTINF`. */
  duration: number;
  /** Preceded by `#EXT-X-DISCONTINUITY`. */
  discontinuity: boolean;
  /** Preceded by `#EXT-X-GAP`. */
  gap: boolean;
  /** The `#EXTINF` title (text after the comma), '' when absent. */
  title: string;
  /** `#EXT-X-PROGRAM-DATE-TIME` before this segment, as epoch ms; only set when present. */
  programDateTime?: number;
}

export interface MediaPlaylist {
  kind: 'media';
  /** `#EXT-X-VERSION`, undefined when absent (which means version 1). */
  version: number | undefined;
  targetDuration: number;
  /** `#EXT-X-MEDIA-SEQUENCE`, 0 when absent. */
  mediaSequence: number;
  /** `#EXT-X-DISCONTINUITY-SEQUENCE`, 0 when absent. */
  discontinuitySequence: number;
  endList: boolean;
  playlistType: 'VOD' | 'EVENT' | undefined;
  segments: MediaSegment[];
}

export interface Resolution {
  width: number;
  height: number;
}

export interface Variant {
  uri: string;
  bandwidth: number;
  averageBandwidth?: number;
  resolution?: Resolution;
  /** Unquoted `CODECS` value, e.g. `avc1.64001f,mp4a.40.2`. */
  codecs?: string;
  programId?: number;
  frameRate?: number;
}

export interface MasterPlaylist {
  kind: 'master';
  version: number | undefined;
  variants: Variant[];
}

export type Playlist = MediaPlaylist | MasterPlaylist;
