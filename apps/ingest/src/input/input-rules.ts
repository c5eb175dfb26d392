import type { SourceInfo } from '@lib/database';

/**
 * What Livepeer can take (design: "Time budget", issue: "Publishing"): H.264 video, and a
 * keyframe interval no longer than the maximum, since segments are cut on keyframes and
 * the stream's HLS target duration is fixed from that maximum.
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
 * HLS target duration of a publish: segments are cut at the target length but only on
 * keyframes, so they can be as long as the longest keyframe interval accepted.
 */
export function targetDurationSeconds(segmentTargetSeconds: number, maxKeyframeIntervalSeconds: number): number {
  return Math.max(segmentTargetSeconds, Math.ceil(maxKeyframeIntervalSeconds));
}

function describeCodec(codec: string): string {
  const names: Record<string, string> = { hevc: 'HEVC (H.265)', flv1: 'Sorenson H.263 (flv1)', av1: 'AV1', vp6f: 'VP6', vp8: 'VP8', vp9: 'VP9' };
  return names[codec] ?? codec;
}

function round(seconds: number): number {
  return Math.round(seconds * 100) / 100;
}
