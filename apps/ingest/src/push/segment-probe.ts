import type { SourceInfo } from '@lib/database';
import { readFile } from 'node:fs/promises';
import { MediaInfo, MediaProcessError, TsScan, TsScanError, probeMedia, scanTransportSegment } from '@lib/media';

export interface ProbedSegment {
  info: MediaInfo;
  /** Presentation times (s) of the video keyframes, in order. */
  keyframes: number[];
}

const PROBE_TIMEOUT_MS = 10_000;

/**
 * Probes a push session's segments. Every segment is read in process (scanTransportSegment:
 * timing, keyframes, the SPS); ffprobe runs only for the session's first segment and whenever
 * the encoding changes (another SPS, stream types or audio layout), to name the codecs, the
 * profile, the picture size and the frame rate. A push session's segments all come from one
 * encoder, so that is once a session: no process per pushed segment.
 *
 * The bytes are the pusher's: the scan reads only them, and ffprobe reads the spooled file as
 * MPEG-TS only, so a "segment" that is a playlist naming local files cannot make it open them.
 */
export class PushSegmentProber {
  private known?: { signature: string; info: MediaInfo };

  constructor(private readonly onFullProbe: () => void = () => undefined) {}

  async probe(file: string): Promise<ProbedSegment> {
    const scan = scanTransportSegment(await readFile(file));
    if (this.known?.signature !== scan.signature) {
      this.onFullProbe();
      this.known = { signature: scan.signature, info: await probeMedia(file, { timeoutMs: PROBE_TIMEOUT_MS, untrustedFormat: 'mpegts' }) };
    }
    return { info: timedBy(this.known.info, scan), keyframes: scan.video?.keyframes ?? [] };
  }
}

/** The probed description with this segment's own timing: the scan's, which is exact for every segment. */
function timedBy(info: MediaInfo, scan: TsScan): MediaInfo {
  const video =
    info.video && scan.video ? { ...info.video, startTime: scan.video.startSeconds, duration: scan.video.durationSeconds } : info.video;
  const audio =
    info.audio && scan.audio ? { ...info.audio, startTime: scan.audio.startSeconds, duration: scan.audio.durationSeconds } : info.audio;
  return {
    ...info,
    startTime: scan.startSeconds,
    duration: scan.durationSeconds,
    streams: info.streams.map((s) => (s === info.video ? video! : s === info.audio ? audio! : s)),
    video,
    audio,
  };
}

/**
 * What to tell the pusher about a failed probe: ffprobe's last complaint, with every
 * local path taken out (the spool directory and anything else on this machine are not
 * the pusher's business).
 */
export function probeFailureDetail(err: unknown): string {
  if (err instanceof TsScanError) return err.message;
  const raw = err instanceof MediaProcessError ? err.stderr.trim().split('\n').slice(-1)[0] || 'ffprobe failed' : 'ffprobe failed';
  return (
    raw
      .replace(/(?:file:)?(?:\/[^\s:'"]*)+/g, 'segment')
      .replace(/^segment:\s*/, '')
      .trim() || 'ffprobe failed'
  );
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
 * The segment's duration in ms from its media: the video's, first frame to the end of the last
 * (scanTransportSegment), the same measure as an RTMP cut's (first keyframe to the next one's).
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
