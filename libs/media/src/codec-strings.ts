import type { MediaInfo, StreamInfo } from './probe';
import { AUDIO_STREAM_TYPES, TsScanError, scanTransportSegment, type TsScan } from './ts-mux/ts-scan';
import { SpsError, parseSps, type SpsInfo } from './ts-mux/sps';
import { TsStructureError, firstSpsUnit, pesPayload, walkProgram } from './ts-mux/ts-program';

/**
 * RFC 6381 codec strings for the master playlist's CODECS attribute, from what ffprobe read in a
 * received segment. ffprobe names the H.264 profile and level but not the SPS constraint flags,
 * so those are read from the segment's own SPS when it agrees with ffprobe (it always does for a
 * well-formed stream), else taken from the usual encoder values for the profile.
 */

/** profile_idc and the constraint byte usual for that profile name (x264's flags). */
const H264_PROFILES: Record<string, { idc: number; constraints: number }> = {
  'constrained baseline': { idc: 66, constraints: 0xc0 },
  baseline: { idc: 66, constraints: 0x00 },
  main: { idc: 77, constraints: 0x40 },
  extended: { idc: 88, constraints: 0x00 },
  high: { idc: 100, constraints: 0x00 },
  'constrained high': { idc: 100, constraints: 0x0c },
  'progressive high': { idc: 100, constraints: 0x08 },
  'high 10': { idc: 110, constraints: 0x00 },
  'high 4:2:2': { idc: 122, constraints: 0x00 },
  'high 4:4:4 predictive': { idc: 244, constraints: 0x00 },
};

/** mp4a object type by ffprobe's AAC profile name (ISO/IEC 14496-3 audio object types). */
const AAC_OBJECT_TYPES: Record<string, number> = { lc: 2, main: 1, ssr: 3, ltp: 4, 'he-aac': 5, 'he-aacv2': 29 };

const hex2 = (n: number) => n.toString(16).padStart(2, '0');

export interface SpsHeader {
  profileIdc: number;
  constraints: number;
  levelIdc: number;
}

/** `avc1.PPCCLL`, or undefined for a stream that is not H.264 or lacks profile/level. */
export function avcCodecString(video: StreamInfo, sps?: SpsHeader): string | undefined {
  if (video.codec !== 'h264' || !video.profile || video.level === undefined || video.level <= 0) return undefined;
  const known = H264_PROFILES[video.profile.toLowerCase()];
  if (!known) return undefined;
  const agrees = sps && sps.profileIdc === known.idc && sps.levelIdc === video.level;
  const constraints = agrees ? sps.constraints : known.constraints;
  return `avc1.${hex2(known.idc)}${hex2(constraints)}${hex2(video.level)}`;
}

export function audioCodecString(audio: StreamInfo): string | undefined {
  switch (audio.codec) {
    case 'aac': {
      const type = AAC_OBJECT_TYPES[(audio.profile ?? 'lc').toLowerCase()];
      return type === undefined ? undefined : `mp4a.40.${type}`;
    }
    case 'mp3':
      return 'mp4a.40.34';
    case 'ac3':
      return 'ac-3';
    case 'eac3':
      return 'ec-3';
    default:
      return undefined;
  }
}

/** Every format present, video first; undefined when the video format cannot be named. */
export function codecsOf(info: MediaInfo, segment?: Buffer): string | undefined {
  if (!info.video) return undefined;
  const video = avcCodecString(info.video, segment ? findSpsInTransportStream(segment) : undefined);
  if (!video) return undefined;
  const audio = info.audio ? audioCodecString(info.audio) : undefined;
  return audio ? `${video},${audio}` : video;
}

// ---------------------------------------------------------------------------------------------
// MPEG-TS: PAT -> PMT -> the H.264 elementary stream -> the first SPS NAL unit.

const STREAM_TYPE_H264 = 0x1b;
/** The SPS sits at the start of the first access unit; no need to read more. */
const SCAN_LIMIT = 64 * 1024;

/** The first SPS header of the H.264 stream of an MPEG-TS segment, or undefined. */
export function findSpsInTransportStream(ts: Buffer): SpsHeader | undefined {
  const nal = findSpsUnitInTransportStream(ts);
  return nal && { profileIdc: nal[1], constraints: nal[2], levelIdc: nal[3] };
}

/**
 * The first SPS NAL unit (header byte included) of an MPEG-TS segment's H.264 stream. It holds
 * the coded size, profile and level: two segments with different units differ in what a master
 * playlist says of them (RESOLUTION, CODECS), which is how a mid-stream change is noticed cheaply.
 * Reads at most SCAN_LIMIT bytes of video, so the head of a segment is enough.
 */
export function findSpsUnitInTransportStream(ts: Buffer): Buffer | undefined {
  let videoPid: number | undefined;
  const es: Buffer[] = [];
  let esBytes = 0;
  let sps: Buffer | undefined;
  try {
    walkProgram(
      ts,
      (packet) => {
        if (packet.pid !== videoPid) return false;
        es.push(packet.unitStart ? pesPayload(packet.payload) : packet.payload);
        esBytes += packet.payload.length;
        sps = firstSpsUnit(Buffer.concat(es), false);
        return sps !== undefined || esBytes >= SCAN_LIMIT;
      },
      (streams) => {
        videoPid = streams.find((s) => s.streamType === STREAM_TYPE_H264)?.pid;
        return videoPid === undefined;
      },
    );
  } catch (err) {
    if (err instanceof TsStructureError) return undefined; // not (aligned) MPEG-TS
    throw err;
  }
  return sps ?? firstSpsUnit(Buffer.concat(es), true);
}

// ---------------------------------------------------------------------------------------------
// A variant described from its segment's own bytes (no ffprobe).

export interface SegmentDescription {
  width: number;
  height: number;
  /** RFC 6381, video first */
  codecs: string;
  frameRate?: number;
}

const AUDIO_CODEC_BY_STREAM_TYPE: Record<number, string> = { 0x03: 'mp4a.40.34', 0x04: 'mp4a.40.34', 0x81: 'ac-3', 0x87: 'ec-3' };

/**
 * What a master playlist says of a variant (RESOLUTION, CODECS, FRAME-RATE), read from an
 * MPEG-TS segment (or its head) in process: the H.264 SPS gives the size and the `avc1` string,
 * the PMT and the first ADTS header the audio's, the VUI timing or the frames' timestamps the
 * frame rate. Undefined when that cannot be said without a full probe (not H.264, no SPS in the
 * bytes, an audio format without a known name): the caller probes with ffprobe then.
 */
export function describeTransportSegment(bytes: Buffer): SegmentDescription | undefined {
  let scan: TsScan;
  let sps: SpsInfo;
  try {
    scan = scanTransportSegment(bytes);
    if (!scan.sps || scan.video?.streamType !== STREAM_TYPE_H264) return undefined;
    sps = parseSps(scan.sps);
  } catch (err) {
    if (err instanceof TsScanError || err instanceof SpsError) return undefined;
    throw err;
  }
  const video = `avc1.${hex2(sps.profileIdc)}${hex2(sps.constraints)}${hex2(sps.levelIdc)}`;
  // An audio stream the PMT lists but these bytes hold no frame of: its format is not known here.
  if (!scan.audio && scan.streamTypes.some((type) => AUDIO_STREAM_TYPES.has(type))) return undefined;
  let audio: string | undefined;
  if (scan.audio) {
    audio = scan.audio.aacObjectType ? `mp4a.40.${scan.audio.aacObjectType}` : AUDIO_CODEC_BY_STREAM_TYPE[scan.audio.streamType];
    if (!audio) return undefined;
  }
  const { frames, durationSeconds } = scan.video;
  const measured = frames >= 2 && durationSeconds > 0 ? Math.round((frames / durationSeconds) * 1000) / 1000 : undefined;
  return {
    width: sps.width,
    height: sps.height,
    codecs: audio ? `${video},${audio}` : video,
    frameRate: sps.frameRate ?? measured,
  };
}
