import type { SourceInfo } from '@lib/database';

/**
 * What Livepeer can take: H.264 video, and a keyframe interval no longer than the maximum
 * (segments are cut on keyframes, so a longer interval means longer segments and later
 * deadlines than the time budget allows; docs/architecture.md, "Queue and time budget").
 */
export interface InputRules {
  maxKeyframeIntervalSeconds: number;
}

/** Encoders and timestamp rounding put keyframes a frame or so late; that is not a longer GOP. */
export const KEYFRAME_INTERVAL_TOLERANCE_SECONDS = 0.1;

/** Codec names as ffprobe spells them; FLV codec ids and aliases map onto these. */
export function normalizeCodecName(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const lower = name.toLowerCase();
  if (lower === 'avc' || lower === 'avc1' || lower === 'h.264') return 'h264';
  if (lower === 'h265' || lower === 'h.265' || lower === 'hvc1' || lower === 'hev1') return 'hevc';
  return lower;
}

export function isKeyframeIntervalTooLong(seconds: number, rules: InputRules): boolean {
  return seconds > rules.maxKeyframeIntervalSeconds + KEYFRAME_INTERVAL_TOLERANCE_SECONDS;
}

export function keyframeIntervalMessage(seconds: number | undefined, rules: InputRules): string {
  const measured = seconds === undefined ? `more than ${rules.maxKeyframeIntervalSeconds} s` : `${round(seconds)} s`;
  return (
    `keyframe interval ${measured} exceeds the maximum of ${rules.maxKeyframeIntervalSeconds} s: ` +
    `set the encoder's keyframe interval (GOP) to ${rules.maxKeyframeIntervalSeconds} s or less`
  );
}

/**
 * Why an input cannot be relayed, or null when it can. The messages are shown to
 * operators (logs, session state) and to push clients (response body).
 */
export function refusalFor(source: SourceInfo, rules: InputRules): string | null {
  const codec = normalizeCodecName(source.videoCodec);
  if (!codec) return 'the input has no video stream: Livepeer transcodes H.264 video';
  if (codec !== 'h264') {
    return `video codec ${describeCodec(codec)} is not supported: Livepeer transcodes H.264 (AVC) only, set the encoder to H.264`;
  }
  if (source.keyframeIntervalSec !== undefined && isKeyframeIntervalTooLong(source.keyframeIntervalSec, rules)) {
    return keyframeIntervalMessage(source.keyframeIntervalSec, rules);
  }
  return null;
}

/**
 * Longest segment the segmenter cuts from a steady keyframe interval. It cuts at the first
 * keyframe at or after each multiple of the segment target, so a segment holds the fewest
 * whole keyframe intervals that reach the target: one interval when it is at least the
 * target, else e.g. two 1.5 s intervals (3 s) for a 2 s target. A keyframe even slightly
 * before the target does not cut (0.999 s intervals make 3 s segments of a 2 s target).
 */
export function longestCutSeconds(segmentTargetSeconds: number, keyframeIntervalSeconds: number): number {
  // Measured intervals are whole milliseconds: rounding to them removes floating-point noise.
  const intervals = Math.max(1, Math.ceil(Math.round((segmentTargetSeconds * 1e6) / keyframeIntervalSeconds) / 1e6));
  // ...and so is the product: 3 x 2.7 s is 8.1 s, not 8.100000000000001 (which made a target duration of 9).
  return Math.round(intervals * keyframeIntervalSeconds * 1000) / 1000;
}

/** A segment fits a target duration when it is at most a frame or so longer (its EXTINF then rounds to it). */
export function fitsTargetDuration(segmentSeconds: number, targetDurationSeconds: number): boolean {
  return segmentSeconds <= targetDurationSeconds + KEYFRAME_INTERVAL_TOLERANCE_SECONDS;
}

/**
 * HLS target duration of a session, decided once from what the publisher sends (RFC 8216:
 * EXT-X-TARGETDURATION never changes): the segment target when the longest expected segment
 * fits it, else the smallest whole number of seconds that holds that segment.
 */
export function sessionTargetDuration(segmentTargetSeconds: number, longestSegmentSeconds: number): number {
  if (fitsTargetDuration(longestSegmentSeconds, segmentTargetSeconds)) return segmentTargetSeconds;
  return Math.max(1, Math.ceil(longestSegmentSeconds - KEYFRAME_INTERVAL_TOLERANCE_SECONDS));
}

/**
 * Target duration recorded when a session opens, before its input is measured: the one of
 * the longest keyframe interval accepted, so it holds whatever the publisher turns out to send.
 */
export function provisionalTargetDuration(segmentTargetSeconds: number, maxKeyframeIntervalSeconds: number): number {
  return sessionTargetDuration(segmentTargetSeconds, longestCutSeconds(segmentTargetSeconds, maxKeyframeIntervalSeconds));
}

/** Why a closed segment cannot be listed under the session's target duration, or null when it can. */
export function overTargetReason(seq: number, durationMs: number, targetDurationSeconds: number): string | null {
  if (fitsTargetDuration(durationMs / 1000, targetDurationSeconds)) return null;
  return (
    `segment ${seq} lasted ${round(durationMs / 1000)} s, longer than the session's target duration of ` +
    `${targetDurationSeconds} s (the keyframe interval grew): the publish ends so that the reconnect measures it afresh`
  );
}

function describeCodec(codec: string): string {
  const names: Record<string, string> = {
    hevc: 'HEVC (H.265)',
    flv1: 'Sorenson H.263 (flv1)',
    av1: 'AV1',
    vp6f: 'VP6',
    vp8: 'VP8',
    vp9: 'VP9',
  };
  return names[codec] ?? codec;
}

function round(seconds: number): number {
  return Math.round(seconds * 100) / 100;
}
