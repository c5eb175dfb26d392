import { TsMuxer, msToTicks } from '@lib/media';
import { FLV_TAG_AUDIO, FLV_TAG_VIDEO, readFlvTag } from './flv';
import { FlvElementaryStreams, SegmentAudio } from './flv-elementary';

export interface FlvSegmenterOptions {
  /** Cut at the first keyframe at or after each multiple of this many seconds. */
  targetSeconds: number;
  /** The audio the segments carry (from the input probe); none when absent. */
  audio?: SegmentAudio;
  /** Number of the first segment (default 0). */
  startNumber?: number;
}

/** A complete MPEG-TS segment, cut in memory. */
export interface TsSegment {
  index: number;
  /** seconds from the first media tag fed in (the start clock's anchor) to the segment's first keyframe */
  startSeconds: number;
  /** from its first keyframe to the next segment's (the last one: to the end of its last frame) */
  durationMs: number;
  /** decode time (FLV ms) of its first keyframe */
  firstDtsMs: number;
  /** its bytes not taken with drain() before it closed (all of them when drain() is not used) */
  data: Buffer;
}

/** Assumed length of the last frame of a publish, before two video frames give a real one. */
const DEFAULT_FRAME_MS = 33;

/**
 * Cuts a publish's FLV tags into MPEG-TS segments in this process, with the cut rule ffmpeg's
 * segment muxer had (`-segment_time`; apps/ingest/src/input/input-rules.ts relies on it): a
 * segment ends at the first video keyframe at or after each multiple of the target, counted
 * from the first keyframe. A segment is closed, and returned, by the keyframe that starts the
 * next one, as that tag arrives: no process, pipe or muxer queue stands in between.
 * The open segment's bytes can be taken as they accumulate (drain()), so a caller can write
 * them out rather than hold whole segments in memory.
 *
 * Media before the first keyframe cannot be decoded on its own and is not carried; audio goes
 * in the segment open when it arrives (tags arrive in decode order). Feed tags in order; the
 * FLV timeline (flv-timeline.ts) has already made their timestamps continuous.
 */
export class FlvSegmenter {
  private readonly muxer: TsMuxer;
  private readonly streams: FlvElementaryStreams;
  private readonly targetMs: number;
  private originMs?: number;
  private firstKeyframeMs?: number;
  private nextIndex: number;
  private open?: {
    index: number;
    startDtsMs: number;
    startSeconds: number;
    /** muxed bytes not drained yet, and their total */
    chunks: Buffer[];
    pendingBytes: number;
    /** decode time of the last video frame when the segment was last drained (or started) */
    drainedAtMs: number;
    frames: number;
    lastDtsMs: number;
  };
  /** the mean frame interval of the latest segment with two frames or more: the length given to a publish's last frame */
  private frameMs = DEFAULT_FRAME_MS;
  /** segments closed so far: the next cut is due at (segmentsCut + 1) x target after the first keyframe */
  private segmentsCut = 0;

  constructor(options: FlvSegmenterOptions) {
    this.targetMs = options.targetSeconds * 1000;
    this.nextIndex = options.startNumber ?? 0;
    this.muxer = new TsMuxer({ video: 'h264', audio: options.audio });
    this.streams = new FlvElementaryStreams(options.audio);
  }

  /** Feeds one complete FLV tag; returns the segment this tag closed, if it closed one. Throws on malformed media. */
  feed(raw: Buffer): TsSegment | null {
    const tag = readFlvTag(raw);
    if (!tag || (tag.type !== FLV_TAG_AUDIO && tag.type !== FLV_TAG_VIDEO)) return null;
    this.originMs ??= tag.timestamp;
    const frame = this.streams.frame(tag);
    if (!frame) return null;
    if (frame.kind === 'audio') {
      if (this.open) this.append(this.muxer.audio(frame.data, msToTicks(frame.ptsMs)));
      return null;
    }
    let closed: TsSegment | null = null;
    if (frame.keyframe && this.cutsAt(frame.dtsMs)) {
      closed = this.close(frame.dtsMs);
      this.start(frame.dtsMs);
    }
    if (!this.open) return null; // before the first keyframe
    this.open.frames++;
    this.open.lastDtsMs = Math.max(this.open.lastDtsMs, frame.dtsMs);
    this.append(this.muxer.video(frame.data, msToTicks(frame.ptsMs), msToTicks(frame.dtsMs), frame.keyframe));
    return closed;
  }

  /** Bytes of the open segment muxed since the last drain(). */
  get pendingBytes(): number {
    return this.open?.pendingBytes ?? 0;
  }

  /** Media time (video decode time) the open segment advanced since the last drain(). */
  get pendingMs(): number {
    return this.open ? this.open.lastDtsMs - this.open.drainedAtMs : 0;
  }

  /** Takes the open segment's bytes muxed so far (its number with them); null when there are none. */
  drain(): { index: number; data: Buffer } | null {
    const open = this.open;
    if (!open?.pendingBytes) return null;
    const data = Buffer.concat(open.chunks, open.pendingBytes);
    open.chunks = [];
    open.pendingBytes = 0;
    open.drainedAtMs = open.lastDtsMs;
    return { index: open.index, data };
  }

  /** The input ended: closes the partial last segment (null when none was open). */
  finish(): TsSegment | null {
    if (!this.open) return null;
    this.measureFrames();
    return this.close(this.open.lastDtsMs + this.frameMs);
  }

  private cutsAt(keyframeMs: number): boolean {
    if (!this.open) return true;
    if (keyframeMs <= this.open.startDtsMs) return false; // a keyframe must move time on to end a segment
    return keyframeMs - this.firstKeyframeMs! >= (this.segmentsCut + 1) * this.targetMs;
  }

  private start(keyframeMs: number): void {
    this.firstKeyframeMs ??= keyframeMs;
    this.open = {
      index: this.nextIndex++,
      startDtsMs: keyframeMs,
      startSeconds: (keyframeMs - this.originMs!) / 1000,
      chunks: [],
      pendingBytes: 0,
      drainedAtMs: keyframeMs,
      frames: 0,
      lastDtsMs: keyframeMs,
    };
    this.append(this.muxer.tables());
  }

  private append(packets: Buffer): void {
    this.open!.chunks.push(packets);
    this.open!.pendingBytes += packets.length;
  }

  private measureFrames(): void {
    const open = this.open;
    if (open && open.frames >= 2) this.frameMs = Math.round((open.lastDtsMs - open.startDtsMs) / (open.frames - 1));
  }

  private close(endMs: number): TsSegment | null {
    const open = this.open;
    if (!open) return null;
    this.measureFrames();
    this.open = undefined;
    this.segmentsCut++;
    return {
      index: open.index,
      startSeconds: open.startSeconds,
      durationMs: endMs - open.startDtsMs,
      firstDtsMs: open.startDtsMs,
      data: Buffer.concat(open.chunks, open.pendingBytes),
    };
  }
}
