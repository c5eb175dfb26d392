import type { LivepeerProfile } from '@lib/livepeer';
import { FFMPEG_PATH, runProcess } from './process';

/**
 * - `ffmpeg`: real transcoding into every profile (the default; what a broadcaster does).
 * - `copy`: remux only, the same stream for every profile (load tests: ffmpeg without encoding).
 * - `passthrough`: the source bytes stand in for every profile, no ffmpeg at all (load tests).
 */
export const TRANSCODE_MODES = ['ffmpeg', 'copy', 'passthrough'] as const;
export type TranscodeMode = (typeof TRANSCODE_MODES)[number];

export interface TranscodeOptions {
  mode?: TranscodeMode;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** AAC bitrate of every rendition (bits per second). */
  audioBitrate?: number;
}

/** libx264 settings the CPU budget allows (docs/design-notes.md#cpu-budget: 2 shared cores). */
export const X264_ARGS = ['-c:v', 'libx264', '-preset', 'veryfast', '-tune', 'zerolatency', '-threads', '1'];

const H264_PROFILE_ARGS: Record<string, string> = {
  H264Baseline: 'baseline',
  H264Main: 'main',
  H264High: 'high',
  // x264 has no "constrained high"; with zerolatency there are no B-frames, which is what it constrains.
  H264ConstrainedHigh: 'high',
};

/**
 * Scale into a width x height box keeping the aspect ratio, never upscaling, to even
 * dimensions (x264 needs them). Evaluated by ffmpeg against the real input size, so no
 * probe is needed before transcoding.
 */
export function scaleFilter(width: number, height: number): string {
  const factor = `min(1\\,min(${width}/iw\\,${height}/ih))`;
  return `scale=w=2*round(iw*${factor}/2):h=2*round(ih*${factor}/2)`;
}

/** The output size ffmpeg will produce for a source size (same arithmetic as scaleFilter). */
export function scaledSize(source: { width: number; height: number }, box: { width: number; height: number }) {
  const factor = Math.min(1, Math.min(box.width / source.width, box.height / source.height));
  const even = (v: number) => 2 * Math.round(v / 2);
  return { width: even(source.width * factor), height: even(source.height * factor) };
}

function frameRate(profile: LivepeerProfile): string | undefined {
  if (!profile.fps) return undefined; // 0: keep the source rate
  return profile.fpsDen && profile.fpsDen !== 1 ? `${profile.fps}/${profile.fpsDen}` : String(profile.fps);
}

function keyframeArgs(gop: string | undefined): string[] {
  if (!gop) return [];
  if (gop === 'intra') return ['-g', '1'];
  const seconds = Number(gop);
  if (!Number.isFinite(seconds) || seconds <= 0) return [];
  // Timestamps are kept from the source (-copyts), so count from the previous forced keyframe,
  // not from t=0; the first frame of a segment is a keyframe anyway.
  return ['-force_key_frames', `expr:if(isnan(prev_forced_t),1,gte(t-prev_forced_t,${seconds}))`];
}

/** Output options of one rendition; `target` is where ffmpeg writes it (e.g. `pipe:3`). */
export function renditionArgs(profile: LivepeerProfile, target: string, audioBitrate = 96_000): string[] {
  // The fps filter (not -r): -r adds a frame at the end, making the rendition one frame longer
  // than the source segment.
  const rate = frameRate(profile);
  const filters = [scaleFilter(profile.width, profile.height), ...(rate ? [`fps=${rate}`] : [])];
  const args = ['-map', '0:v:0', '-map', '0:a?', '-vf', filters.join(','), ...X264_ARGS];
  const h264 = profile.profile ? H264_PROFILE_ARGS[profile.profile] : undefined;
  if (h264) args.push('-profile:v', h264);
  const bitrate = String(Math.round(profile.bitrate));
  // maxrate and a half-second buffer keep each short segment near the profile's bitrate
  // (a one-second buffer let the keyframes of a 2 s segment overshoot by 25 %).
  args.push('-b:v', bitrate, '-maxrate', bitrate, '-bufsize', String(Math.round(profile.bitrate / 2)));
  args.push(...keyframeArgs(profile.gop));
  args.push('-c:a', 'aac', '-b:a', String(audioBitrate));
  args.push(...MPEGTS_OUTPUT_ARGS, target);
  return args;
}

/**
 * MPEG-TS output that keeps the input clock: with -copyts on the input, muxdelay/muxpreload 0
 * stop the muxer from adding its usual 1.4 s, so a rendition's first PTS equals the source's.
 */
const MPEGTS_OUTPUT_ARGS = ['-muxdelay', '0', '-muxpreload', '0', '-f', 'mpegts'];

const INPUT_ARGS = ['-nostdin', '-hide_banner', '-loglevel', 'error', '-threads', '1', '-filter_threads', '1', '-copyts', '-i', 'pipe:0'];

/** One ffmpeg command producing every profile from stdin, profile i on fd `firstFd + i`. */
export function buildTranscodeArgs(profiles: LivepeerProfile[], firstFd = 3, audioBitrate?: number): string[] {
  return [...INPUT_ARGS, ...profiles.flatMap((p, i) => renditionArgs(p, `pipe:${firstFd + i}`, audioBitrate))];
}

export function buildRemuxArgs(): string[] {
  return [...INPUT_ARGS, '-map', '0', '-c', 'copy', ...MPEGTS_OUTPUT_ARGS, 'pipe:1'];
}

/**
 * Transcodes one MPEG-TS segment into every profile with a single ffmpeg process (the input
 * is decoded once). Returns one buffer per profile, in profile order. Throws
 * MediaProcessError (see `isInputError`) when ffmpeg fails, times out or is aborted.
 */
export async function transcodeSegment(input: Buffer, profiles: LivepeerProfile[], options: TranscodeOptions = {}): Promise<Buffer[]> {
  const mode = options.mode ?? 'ffmpeg';
  if (profiles.length === 0) return [];
  if (mode === 'passthrough') return profiles.map(() => input);
  if (mode === 'copy') {
    const { stdout } = await runProcess(FFMPEG_PATH, buildRemuxArgs(), {
      input,
      timeoutMs: options.timeoutMs,
      signal: options.signal,
    });
    return profiles.map(() => stdout);
  }
  const { outputs } = await runProcess(FFMPEG_PATH, buildTranscodeArgs(profiles, 3, options.audioBitrate), {
    input,
    extraOutputs: profiles.length,
    timeoutMs: options.timeoutMs,
    signal: options.signal,
  });
  return outputs;
}
