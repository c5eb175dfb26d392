import type { SourceInfo } from '@lib/database';
import { InputRules, isKeyframeIntervalTooLong, keyframeIntervalMessage, refusalFor } from '../input/input-rules';
import { FLV_AUDIO_CODECS, FLV_TAG_AUDIO, FLV_TAG_VIDEO, FLV_VIDEO_CODECS, FlvTag, TS_COMPATIBLE_AUDIO, readFlvTag } from './flv';

/** Width, height and profile from an AVC sequence header (the tag body). */
export type AvcConfigReader = (tagBody: Buffer) => { width?: number; height?: number; profile?: string } | null;

export type InputVerdict =
  { accepted: true; source: SourceInfo; hasAudio: boolean } | { accepted: false; reason: string; source: SourceInfo };

/**
 * Probes a live RTMP input from its FLV tags as they arrive, in this process: codec
 * (first video tag), resolution and profile (sequence header), keyframe interval and
 * frame rate (between the first two keyframes), audio codec. It decides as soon as the
 * second keyframe arrives, or refuses once the media clock passes the maximum keyframe
 * interval without one, so a 10 s GOP is refused after about 4 s, before any segment.
 */
export class FlvInputInspector {
  private readonly source: SourceInfo = {};
  private audioSeen = false;
  private keyframes: number[] = [];
  private framesSinceFirstKeyframe = 0;
  private firstVideoAt?: number;
  private verdict?: InputVerdict;

  constructor(
    private readonly rules: InputRules,
    private readonly readAvcConfig: AvcConfigReader = () => null,
  ) {}

  get decided(): InputVerdict | undefined {
    return this.verdict;
  }

  /** What is known so far (for a refusal that comes from outside, e.g. a wall-clock timeout). */
  get partialSource(): SourceInfo {
    return { ...this.source };
  }

  /** Feeds one tag; returns the verdict the first time one is reached, else null. */
  feed(raw: Buffer): InputVerdict | null {
    if (this.verdict) return null;
    const tag = readFlvTag(raw);
    if (!tag) return null;
    if (tag.type === FLV_TAG_AUDIO) this.onAudio(tag);
    if (tag.type === FLV_TAG_VIDEO) {
      const verdict = this.onVideo(tag);
      if (verdict) return this.decide(verdict);
    }
    if (tag.type === FLV_TAG_AUDIO || tag.type === FLV_TAG_VIDEO) return this.checkClock(tag.timestamp);
    return null;
  }

  /** Refuses from outside (no keyframe in time on the wall clock, publisher gone...). */
  refuse(reason: string): InputVerdict {
    return this.decide({ accepted: false, reason, source: this.partialSource });
  }

  private onAudio(tag: FlvTag): void {
    if (this.audioSeen || !tag.audio) return;
    this.audioSeen = true;
    this.source.audioCodec = FLV_AUDIO_CODECS[tag.audio.soundFormat] ?? `flv-audio-${tag.audio.soundFormat}`;
  }

  private onVideo(tag: FlvTag): InputVerdict | null {
    const video = tag.video;
    if (!video || video.frameType === 5) return null;
    this.firstVideoAt ??= tag.timestamp;
    this.source.videoCodec ??= FLV_VIDEO_CODECS[video.codecId] ?? `flv-video-${video.codecId}`;
    if (video.codecId !== 7) return this.refusal();
    if (video.packetType === 0) {
      const config = this.readAvcConfig(tag.data);
      if (config?.width) this.source.width = config.width;
      if (config?.height) this.source.height = config.height;
      if (config?.profile) this.source.videoProfile = config.profile;
      return null;
    }
    if (video.packetType !== 1) return null;
    if (this.keyframes.length) this.framesSinceFirstKeyframe++;
    if (video.frameType !== 1) return null;
    this.keyframes.push(tag.timestamp);
    if (this.keyframes.length < 2) return null;
    const intervalMs = this.keyframes[1] - this.keyframes[0];
    this.source.keyframeIntervalSec = intervalMs / 1000;
    if (intervalMs > 0) this.source.fps = Math.round(((this.framesSinceFirstKeyframe * 1000) / intervalMs) * 100) / 100;
    return this.refusal() ?? this.acceptance();
  }

  /** The media clock ran past the maximum interval without a second keyframe (or any keyframe). */
  private checkClock(timestamp: number): InputVerdict | null {
    const since = this.keyframes[0] ?? this.firstVideoAt;
    if (since === undefined) return null;
    const waited = (timestamp - since) / 1000;
    if (!isKeyframeIntervalTooLong(waited, this.rules)) return null;
    return this.decide({ accepted: false, reason: keyframeIntervalMessage(undefined, this.rules), source: this.partialSource });
  }

  private refusal(): InputVerdict | null {
    const reason = refusalFor(this.source, this.rules);
    if (reason) return { accepted: false, reason, source: this.partialSource };
    if (this.source.audioCodec && !TS_COMPATIBLE_AUDIO.has(this.source.audioCodec)) {
      return {
        accepted: false,
        reason: `audio codec ${this.source.audioCodec} cannot be carried in MPEG-TS segments: set the encoder's audio to AAC`,
        source: this.partialSource,
      };
    }
    return null;
  }

  private acceptance(): InputVerdict {
    return { accepted: true, source: this.partialSource, hasAudio: this.audioSeen };
  }

  private decide(verdict: InputVerdict): InputVerdict {
    this.verdict ??= verdict;
    return this.verdict;
  }
}
