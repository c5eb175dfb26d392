import { TIMESTAMP_MODULO, TS_CLOCK_HZ, readTimestamp } from './pes';
import { TS_PACKET_SIZE } from './ts-packets';
import { TsStructureError, firstSpsUnit, walkProgram } from './ts-program';

/**
 * What a pushed MPEG-TS segment says of itself, read in process (no ffprobe): its streams,
 * start and duration from the PES timestamps, the video keyframes, and the first H.264 SPS.
 * It is the per-segment half of probing a push: the other half (codec names, profile, size,
 * frame rate) is ffprobe's, run only when the `signature` changes (docs/architecture.md,
 * "HTTP segment push"). Reads only the bytes given; never a path or a URL.
 */
export interface TsScan {
  /** seconds: the video's first presentation time (the audio's in a segment without video) */
  startSeconds: number;
  /**
   * seconds: the video's, first frame to the end of the last one (the audio's in a segment
   * without video). Segments are cut on video keyframes, so this is the length a playlist
   * lists and the same measure as an RTMP cut's; the audio that interleaving puts a few
   * frames before or after it is not counted twice across segments.
   */
  durationSeconds: number;
  /** the first video stream, when the program has one */
  video?: TsStreamTiming & { streamType: number; frames: number; keyframes: number[] };
  /** the first audio stream, when the program has one; `aacObjectType` from its first ADTS header (2 = AAC LC) */
  audio?: TsStreamTiming & { streamType: number; aacObjectType?: number };
  /** The first SPS NAL unit of an H.264 video stream (coded size, profile, level). */
  sps?: Buffer;
  /** Every elementary stream's type, in PMT order (those without a timestamped unit in these bytes too). */
  streamTypes: number[];
  /**
   * Equal for two segments of the same encoding: the program's stream types, the SPS and the
   * AAC configuration. A change (new resolution, codec, audio layout) asks for a full probe.
   */
  signature: string;
}

export interface TsStreamTiming {
  startSeconds: number;
  durationSeconds: number;
}

export class TsScanError extends Error {}

const VIDEO_STREAM_TYPES = new Set([0x01, 0x02, 0x10, 0x1b, 0x24, 0x42, 0xea]);
export const AUDIO_STREAM_TYPES = new Set([0x03, 0x04, 0x0f, 0x11, 0x81, 0x87]);
const STREAM_TYPE_H264 = 0x1b;
const STREAM_TYPE_ADTS = 0x0f;
const NAL_IDR = 5;
const NAL_NON_IDR_SLICE = 1;
const ADTS_SAMPLE_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];
const AAC_SAMPLES_PER_FRAME = 1024;

/** One reassembled PES: its timestamp (90 kHz, unwrapped later) and whether a random access point starts it. */
interface Pes {
  pts: number;
  randomAccess: boolean;
  payload: Buffer;
}

/** Scans a transport stream; throws TsScanError with a reason a pusher can act on. */
export function scanTransportSegment(ts: Buffer): TsScan {
  if (ts.length < TS_PACKET_SIZE) throw new TsScanError(`${ts.length} bytes is less than one 188-byte transport packet`);
  const open = new Map<number, { randomAccess: boolean; parts: Buffer[] }>();
  const done = new Map<number, Pes[]>();
  const finish = (pid: number) => {
    const unit = open.get(pid);
    open.delete(pid);
    if (!unit) return;
    const pes = parsePes(Buffer.concat(unit.parts), unit.randomAccess);
    if (pes) (done.get(pid) ?? done.set(pid, []).get(pid)!).push(pes);
  };
  let found: ReturnType<typeof walkProgram>;
  try {
    // A trailing partial packet is ignored, as demuxers do; lost sync inside the segment is not.
    found = walkProgram(ts, ({ pid, unitStart, randomAccess, payload }) => {
      if (unitStart) {
        finish(pid);
        open.set(pid, { randomAccess, parts: [payload] });
      } else open.get(pid)?.parts.push(payload);
    });
  } catch (err) {
    throw err instanceof TsStructureError ? new TsScanError(err.message) : err;
  }
  const { pmtPid, streams: program } = found;
  if (pmtPid === undefined) throw new TsScanError('not MPEG-TS: no program association table');
  if (!program) throw new TsScanError('not MPEG-TS: no program map table');
  for (const pid of [...open.keys()]) finish(pid);

  const videoStream = program.find((e) => VIDEO_STREAM_TYPES.has(e.streamType) && done.has(e.pid));
  const audioStream = program.find((e) => AUDIO_STREAM_TYPES.has(e.streamType) && done.has(e.pid));
  if (!videoStream && !audioStream) throw new TsScanError('no timestamped audio or video in the segment');
  const reference = (done.get((videoStream ?? audioStream)!.pid) ?? [])[0].pts;

  const result: Omit<TsScan, 'startSeconds' | 'durationSeconds' | 'signature'> = { streamTypes: program.map((e) => e.streamType) };
  let audioConfig = '';
  if (videoStream) {
    const units = unwrapped(done.get(videoStream.pid)!, reference);
    const h264 = videoStream.streamType === STREAM_TYPE_H264;
    const keyframes: number[] = [];
    for (const unit of units) {
      if (h264 && !result.sps) result.sps = firstSpsUnit(unit.payload, true);
      if (h264 ? isIdr(unit.payload) : unit.randomAccess) keyframes.push(unit.pts / TS_CLOCK_HZ);
    }
    const pts = units.map((u) => u.pts).sort((a, b) => a - b);
    result.video = {
      streamType: videoStream.streamType,
      frames: units.length,
      keyframes: keyframes.sort((a, b) => a - b),
      ...timing(pts, medianStep(pts)),
    };
  }
  if (audioStream) {
    const units = unwrapped(done.get(audioStream.pid)!, reference);
    const pts = units.map((u) => u.pts).sort((a, b) => a - b);
    const last = units.reduce((a, b) => (b.pts > a.pts ? b : a));
    const adts = audioStream.streamType === STREAM_TYPE_ADTS ? adtsFrames(last.payload) : undefined;
    const first = audioStream.streamType === STREAM_TYPE_ADTS ? adtsFrames(units[0].payload) : undefined;
    audioConfig = first?.config ?? '';
    const lastTicks = adts ? Math.round((adts.frames * AAC_SAMPLES_PER_FRAME * TS_CLOCK_HZ) / adts.sampleRate) : medianStep(pts);
    result.audio = { streamType: audioStream.streamType, ...timing(pts, lastTicks) };
    if (first) result.audio.aacObjectType = first.objectType;
  }
  const main = (result.video ?? result.audio)!;
  return {
    ...result,
    startSeconds: main.startSeconds,
    durationSeconds: main.durationSeconds,
    signature: [program.map((e) => e.streamType.toString(16)).join(','), result.sps?.toString('hex') ?? '', audioConfig].join('|'),
  };
}

/** The PES's PTS and elementary stream bytes; undefined for a unit without a PTS (nothing to time). */
function parsePes(bytes: Buffer, randomAccess: boolean): Pes | undefined {
  if (bytes.length < 14 || bytes[0] !== 0 || bytes[1] !== 0 || bytes[2] !== 1) return undefined;
  if (!(bytes[7] & 0x80)) return undefined;
  return { pts: readTimestamp(bytes, 9), randomAccess, payload: bytes.subarray(9 + bytes[8]) };
}

/** Timestamps as a straight line from the first one: a wrap of the 33-bit clock inside the segment is undone. */
function unwrapped(units: Pes[], reference: number): Pes[] {
  return units.map((u) => {
    let pts = u.pts;
    if (pts - reference < -TIMESTAMP_MODULO / 2) pts += TIMESTAMP_MODULO;
    else if (pts - reference > TIMESTAMP_MODULO / 2) pts -= TIMESTAMP_MODULO;
    return { ...u, pts };
  });
}

function medianStep(sorted: number[]): number {
  const steps = sorted
    .slice(1)
    .map((t, i) => t - sorted[i])
    .filter((d) => d > 0)
    .sort((a, b) => a - b);
  return steps.length ? steps[Math.floor(steps.length / 2)] : 0;
}

/** Start and duration of a stream: first timestamp to last plus the last unit's own length. */
function timing(sortedPts: number[], lastUnitTicks: number): TsStreamTiming {
  const first = sortedPts[0];
  const last = sortedPts[sortedPts.length - 1];
  return { startSeconds: first / TS_CLOCK_HZ, durationSeconds: (last - first + lastUnitTicks) / TS_CLOCK_HZ };
}

/** Whether an H.264 access unit (Annex B) is an IDR picture: its first slice NAL unit says so. */
function isIdr(au: Buffer): boolean {
  for (let at = au.indexOf(START_CODE); at !== -1 && at + 3 < au.length; at = au.indexOf(START_CODE, at + 3)) {
    const type = au[at + 3] & 0x1f;
    if (type === NAL_IDR) return true;
    if (type === NAL_NON_IDR_SLICE) return false;
  }
  return false;
}

const START_CODE = Buffer.from([0, 0, 1]);

/** ADTS frames in one audio PES, the sample rate, and the configuration bytes (profile, rate, channels). */
function adtsFrames(payload: Buffer): { frames: number; sampleRate: number; config: string; objectType: number } | undefined {
  let frames = 0;
  let sampleRate = 0;
  let config = '';
  let objectType = 0;
  for (let at = 0; at + 7 <= payload.length;) {
    if (payload[at] !== 0xff || (payload[at + 1] & 0xf6) !== 0xf0) break;
    const length = ((payload[at + 3] & 0x03) << 11) | (payload[at + 4] << 3) | (payload[at + 5] >> 5);
    if (length < 7) break;
    if (!frames) {
      sampleRate = ADTS_SAMPLE_RATES[(payload[at + 2] >> 2) & 0x0f] ?? 0;
      config = `${(payload[at + 2] >> 6) & 0x03}:${sampleRate}:${((payload[at + 2] & 0x01) << 2) | (payload[at + 3] >> 6)}`;
      objectType = ((payload[at + 2] >> 6) & 0x03) + 1; // ADTS profile = audio object type - 1
    }
    frames++;
    at += length;
  }
  return frames && sampleRate ? { frames, sampleRate, config, objectType } : undefined;
}
