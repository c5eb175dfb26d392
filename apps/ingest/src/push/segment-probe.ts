import type { SourceInfo } from '@lib/database';
import { FFPROBE_PATH, MediaInfo, MediaProcessError, inputArgs, probeMedia, runProcess } from '@lib/media';

export interface ProbedSegment {
  info: MediaInfo;
  /** Presentation times (s) of the video keyframes, in order. */
  keyframes: number[];
}

const PROBE_TIMEOUT_MS = 10_000;

/**
 * Streams and duration (probeMedia), and the keyframe times from the packet flags (no
 * decoding). The bytes are the pusher's: read as MPEG-TS from the spooled file only, so a
 * "segment" that is a playlist naming local files cannot make ffprobe open them.
 */
export async function probePushedSegment(file: string, format: 'mpegts' | 'mp4' = 'mpegts'): Promise<ProbedSegment> {
  const [info, packets] = await Promise.all([
    probeMedia(file, { timeoutMs: PROBE_TIMEOUT_MS, untrustedFormat: format }),
    runProcess(
      FFPROBE_PATH,
      [
        '-hide_banner',
        '-v',
        'error',
        '-select_streams',
        'v:0',
        '-show_entries',
        'packet=pts_time,flags',
        '-of',
        'csv=p=0',
        ...inputArgs(file, format),
      ],
      { timeoutMs: PROBE_TIMEOUT_MS },
    ),
  ]);
  return { info, keyframes: keyframeTimes(packets.stdout.toString('utf8')) };
}

/**
 * What to tell the pusher about a failed probe: ffprobe's last complaint, with every
 * local path taken out (the spool directory and anything else on this machine are not
 * the pusher's business).
 */
export function probeFailureDetail(err: unknown): string {
  const raw = err instanceof MediaProcessError ? err.stderr.trim().split('\n').slice(-1)[0] || 'ffprobe failed' : 'ffprobe failed';
  return (
    raw
      .replace(/(?:file:)?(?:\/[^\s:'"]*)+/g, 'segment')
      .replace(/^segment:\s*/, '')
      .trim() || 'ffprobe failed'
  );
}

/** `1.400000,K__` lines -> keyframe times, sorted. */
export function keyframeTimes(csv: string): number[] {
  const times: number[] = [];
  for (const line of csv.split('\n')) {
    const [pts, flags] = line.trim().split(',');
    const t = Number(pts);
    if (flags?.includes('K') && pts !== 'N/A' && Number.isFinite(t)) times.push(t);
  }
  return times.sort((a, b) => a - b);
}

/**
 * The longest stretch of the segment without a keyframe, counting to its end: the
 * keyframe interval as far as this one segment can tell. Undefined without keyframes.
 */
export function longestKeyframeGap(keyframes: number[], start: number, duration: number): number | undefined {
  if (!keyframes.length) return undefined;
  let longest = 0;
  for (let i = 1; i < keyframes.length; i++) longest = Math.max(longest, keyframes[i] - keyframes[i - 1]);
  return Math.max(longest, start + duration - keyframes[keyframes.length - 1]);
}

/**
 * The segment's duration in ms from its media: the container's, first to last packet of any
 * stream (an RTMP cut is measured from its first keyframe to the next one's: within a frame or
 * two of this).
 */
export function mediaDurationMs(probed: ProbedSegment): number {
  return Math.round(probed.info.duration * 1000);
}

export function sourceOfSegment(probed: ProbedSegment): SourceInfo {
  const { info, keyframes } = probed;
  const video = info.video;
  const source: SourceInfo = {
    videoCodec: video?.codec,
    videoProfile: video?.profile,
    width: video?.width,
    height: video?.height,
    fps: video?.fps !== undefined ? Math.round(video.fps * 100) / 100 : undefined,
    keyframeIntervalSec: longestKeyframeGap(keyframes, video?.startTime ?? info.startTime, video?.duration ?? info.duration),
    audioCodec: info.audio?.codec,
  };
  if (source.keyframeIntervalSec !== undefined) source.keyframeIntervalSec = Math.round(source.keyframeIntervalSec * 1000) / 1000;
  return Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined)) as SourceInfo;
}
