import type { MediaInfo, StreamInfo } from './probe';

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

const PACKET = 188;
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
 */
export function findSpsUnitInTransportStream(ts: Buffer): Buffer | undefined {
  let pmtPid: number | undefined;
  let videoPid: number | undefined;
  const es: Buffer[] = [];
  let esBytes = 0;
  for (let offset = 0; offset + PACKET <= ts.length && esBytes < SCAN_LIMIT; offset += PACKET) {
    if (ts[offset] !== 0x47) return undefined; // not (aligned) MPEG-TS
    const pid = ((ts[offset + 1] & 0x1f) << 8) | ts[offset + 2];
    const unitStart = (ts[offset + 1] & 0x40) !== 0;
    const payload = packetPayload(ts, offset);
    if (!payload) continue;
    if (pid === 0 && unitStart && pmtPid === undefined) {
      pmtPid = firstProgramMapPid(pointerSkipped(payload));
    } else if (pid === pmtPid && unitStart && videoPid === undefined) {
      videoPid = streamPid(pointerSkipped(payload), STREAM_TYPE_H264);
    } else if (pid === videoPid && videoPid !== undefined) {
      es.push(unitStart ? pesPayload(payload) : payload);
      esBytes += payload.length;
      const sps = findSps(Buffer.concat(es));
      if (sps) return sps;
    }
  }
  return findSps(Buffer.concat(es), true);
}

function packetPayload(ts: Buffer, offset: number): Buffer | undefined {
  const control = (ts[offset + 3] >> 4) & 0x3;
  if (control === 0 || control === 2) return undefined; // no payload
  let start = offset + 4;
  if (control === 3) start += 1 + ts[offset + 4]; // adaptation field
  return start < offset + PACKET ? ts.subarray(start, offset + PACKET) : undefined;
}

function pointerSkipped(section: Buffer): Buffer {
  return section.subarray(1 + (section[0] ?? 0));
}

/** PAT: the first program's PMT pid (program 0 is the network PID). */
function firstProgramMapPid(pat: Buffer): number | undefined {
  const sectionLength = ((pat[1] & 0x0f) << 8) | pat[2];
  const end = Math.min(pat.length, 3 + sectionLength - 4);
  for (let i = 8; i + 4 <= end; i += 4) {
    const program = (pat[i] << 8) | pat[i + 1];
    if (program !== 0) return ((pat[i + 2] & 0x1f) << 8) | pat[i + 3];
  }
  return undefined;
}

function streamPid(pmt: Buffer, streamType: number): number | undefined {
  const sectionLength = ((pmt[1] & 0x0f) << 8) | pmt[2];
  const end = Math.min(pmt.length, 3 + sectionLength - 4);
  const programInfoLength = ((pmt[10] & 0x0f) << 8) | pmt[11];
  for (let i = 12 + programInfoLength; i + 5 <= end;) {
    const type = pmt[i];
    const pid = ((pmt[i + 1] & 0x1f) << 8) | pmt[i + 2];
    const infoLength = ((pmt[i + 3] & 0x0f) << 8) | pmt[i + 4];
    if (type === streamType) return pid;
    i += 5 + infoLength;
  }
  return undefined;
}

/** The elementary-stream bytes after a PES header. */
function pesPayload(pes: Buffer): Buffer {
  if (pes.length < 9 || pes[0] !== 0 || pes[1] !== 0 || pes[2] !== 1) return pes;
  return pes.subarray(Math.min(pes.length, 9 + pes[8]));
}

/**
 * Annex B: start code, then a NAL header of type 7 (SPS) and its bytes up to the next start
 * code; only once that next start code is in (else the unit may be cut short), or with at least
 * the profile, constraints and level when the stream ends there.
 */
function findSps(es: Buffer, toTheEnd = false): Buffer | undefined {
  for (let i = 0; i + 6 < es.length; i++) {
    if (es[i] === 0 && es[i + 1] === 0 && es[i + 2] === 1 && (es[i + 3] & 0x9f) === 0x07) {
      const start = i + 3;
      for (let j = start + 4; j + 2 < es.length; j++) {
        if (es[j] === 0 && es[j + 1] === 0 && (es[j + 2] === 1 || (es[j + 2] === 0 && es[j + 3] === 1))) return es.subarray(start, j);
      }
      return toTheEnd ? es.subarray(start) : undefined;
    }
  }
  return undefined;
}
