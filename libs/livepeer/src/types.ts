/**
 * Wire types of the Livepeer API and broadcaster, as the protocol reference describes them
 * (docs/livepeer-protocol.md §2, §3). Field names are the JSON names.
 */

/** x264 profiles the current API accepts in a profile's `profile` field. */
export const H264_PROFILES = ['H264Baseline', 'H264Main', 'H264High', 'H264ConstrainedHigh'] as const;
export type H264Profile = (typeof H264_PROFILES)[number];

/** One rendition of a ladder (the API's `ffmpeg-profile`). */
export interface LivepeerProfile {
  name: string;
  width: number;
  height: number;
  /** bits per second */
  bitrate: number;
  /** frames per second; 0 keeps the source rate */
  fps: number;
  fpsDen?: number;
  /** keyframe interval in seconds ("2", "2.0") or "intra" */
  gop?: string;
  profile?: H264Profile;
  quality?: number;
  encoder?: 'H.264';
}

/** The ladder part of a stream: custom profiles and/or lpms preset names. */
export interface LivepeerLadder {
  profiles?: LivepeerProfile[];
  presets?: string[];
}

/** The legacy LivepeerWowza payload (§3.1); only the fields the API reads are typed. */
export interface WowzaEncode {
  enable?: boolean | string;
  name?: string;
  streamName?: string;
  videoCodec?: string;
  videoBitrate?: string | number;
  width?: number | string;
  height?: number | string;
  [other: string]: unknown;
}

export interface WowzaStreamNameGroup {
  streamName?: string;
  members?: { encodeName?: string; memberName?: string }[];
  Members?: { encodeName?: string; memberName?: string }[];
  [other: string]: unknown;
}

export interface WowzaPayload {
  transcoderAppConfig: { templatesInUse?: string; [other: string]: unknown };
  transcoderTemplateAppConfig: Record<
    string,
    { name?: string; encodes?: WowzaEncode[]; streamNameGroups?: WowzaStreamNameGroup[]; [other: string]: unknown }
  >;
  sourceInfo: { width: number; height: number; fps: number };
  streamNameGroups: unknown[];
  [other: string]: unknown;
}

/** Body of `POST /api/stream`. */
export interface CreateStreamRequest extends LivepeerLadder {
  name: string;
  renditions?: Record<string, string>;
  wowza?: WowzaPayload;
  objectStoreId?: string;
  [other: string]: unknown;
}

/** The stream object the API returns (201 on create, 200 on get). */
export interface LivepeerStream {
  id: string;
  name: string;
  kind: 'stream';
  profiles: LivepeerProfile[];
  presets: string[];
  /** rendition name -> playlist path, e.g. `/stream/{id}/{name}.m3u8` */
  renditions: Record<string, string>;
  streamKey: string;
  playbackId: string;
  createdAt: number;
  isActive: boolean;
  lastSeen: number;
  wowza?: unknown;
  [other: string]: unknown;
}

/** One entry of `GET /api/broadcaster`. */
export interface BroadcasterInfo {
  address: string;
}

/** Body the broadcaster sends to its auth webhook (`POST /api/stream/hook`). */
export interface StreamHookRequest {
  url: string;
}

/** What the webhook answers (go-livepeer reads `manifestID` case-insensitively). */
export interface StreamHookResponse {
  manifestId: string;
  presets: string[];
  profiles: LivepeerProfile[];
  objectStore?: string;
}
