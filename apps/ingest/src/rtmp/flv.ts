/**
 * The few facts ingest reads from FLV tags (Adobe FLV spec v10.1, annex E) to probe a
 * live RTMP input without another process: tag type, timestamp, video codec and
 * frame type, audio format.
 */
export const FLV_TAG_AUDIO = 8;
export const FLV_TAG_VIDEO = 9;
export const FLV_TAG_SCRIPT = 18;

/** FLV video codec ids; 12 (HEVC) and 13 (AV1) as node-media-server maps enhanced RTMP. */
export const FLV_VIDEO_CODECS: Record<number, string> = {
  2: 'flv1',
  3: 'flashsv',
  4: 'vp6f',
  5: 'vp6a',
  6: 'flashsv2',
  7: 'h264',
  12: 'hevc',
  13: 'av1',
};

export const FLV_AUDIO_CODECS: Record<number, string> = {
  0: 'pcm',
  1: 'adpcm_swf',
  2: 'mp3',
  3: 'pcm_le',
  4: 'nellymoser',
  5: 'nellymoser',
  6: 'nellymoser',
  7: 'pcm_alaw',
  8: 'pcm_mulaw',
  10: 'aac',
  11: 'speex',
  13: 'opus',
  14: 'mp3',
};

/** Audio formats the segmenter carries in MPEG-TS (flv-elementary.ts: AAC as ADTS, MP3 as it is). */
export const TS_COMPATIBLE_AUDIO = new Set(['aac', 'mp3']);

export interface FlvVideoInfo {
  /** 1 = keyframe, 2 = inter frame, 5 = video info/command */
  frameType: number;
  codecId: number;
  /** AVC/HEVC: 0 = sequence header, 1 = NALU, 2 = end of sequence */
  packetType?: number;
}

export interface FlvTag {
  type: number;
  /** milliseconds (decode time) */
  timestamp: number;
  /** the tag body (after the 11-byte tag header) */
  data: Buffer;
  video?: FlvVideoInfo;
  audio?: { soundFormat: number; aacPacketType?: number };
}

/** A tag's timestamp (ms): 24 low bits, then the extended (high) byte. */
export function flvTagTimestamp(tag: Buffer): number {
  return (tag.readUIntBE(4, 3) | (tag[7] << 24)) >>> 0;
}

/** Parses one complete tag (header, body, trailing PreviousTagSize); null if it is not one. */
export function readFlvTag(tag: Buffer): FlvTag | null {
  if (tag.length < 11) return null;
  const type = tag[0] & 0x1f;
  const size = tag.readUIntBE(1, 3);
  if (tag.length < 11 + size) return null;
  const timestamp = flvTagTimestamp(tag);
  const data = tag.subarray(11, 11 + size);
  const parsed: FlvTag = { type, timestamp, data };
  if (type === FLV_TAG_VIDEO && data.length >= 1) {
    const codecId = data[0] & 0x0f;
    parsed.video = { frameType: (data[0] >> 4) & 0x07, codecId };
    if ((codecId === 7 || codecId === 12 || codecId === 13) && data.length >= 2) parsed.video.packetType = data[1];
  } else if (type === FLV_TAG_AUDIO && data.length >= 1) {
    const soundFormat = (data[0] >> 4) & 0x0f;
    parsed.audio = { soundFormat };
    if (soundFormat === 10 && data.length >= 2) parsed.audio.aacPacketType = data[1];
  }
  return parsed;
}

/** The complete tags of an FLV file (tests and tools): after its header, each tag with its trailing PreviousTagSize. */
export function flvFileTags(file: Buffer): Buffer[] {
  const tags: Buffer[] = [];
  for (let at = file.readUInt32BE(5) + 4; at + 11 <= file.length;) {
    const end = at + 11 + file.readUIntBE(at + 1, 3) + 4;
    if (end > file.length) break;
    tags.push(file.subarray(at, end));
    at = end;
  }
  return tags;
}

/** The 9-byte FLV file header plus PreviousTagSize0, with the audio/video presence flags. */
export function flvHeader(streams: { audio: boolean; video: boolean }): Buffer {
  const header = Buffer.from([0x46, 0x4c, 0x56, 0x01, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x00]);
  header[4] = (streams.audio ? 0x04 : 0) | (streams.video ? 0x01 : 0);
  return header;
}

/** Builds a tag (tests and tools): type, timestamp, body, and the trailing PreviousTagSize. */
export function buildFlvTag(type: number, timestamp: number, data: Buffer): Buffer {
  const tag = Buffer.alloc(11 + data.length + 4);
  tag[0] = type;
  tag.writeUIntBE(data.length, 1, 3);
  tag.writeUIntBE(timestamp & 0xffffff, 4, 3);
  tag[7] = (timestamp >>> 24) & 0xff;
  data.copy(tag, 11);
  tag.writeUInt32BE(11 + data.length, 11 + data.length);
  return tag;
}
