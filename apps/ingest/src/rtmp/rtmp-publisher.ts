import { Logger } from '@nestjs/common';
import { InputRules, longestCutSeconds, provisionalTargetDuration, sessionTargetDuration } from '../input/input-rules';
import { Publish } from '../publish/publish';
import { PublishManager } from '../publish/publish-manager.service';
import { SpoolSegmentFile } from '../segments/segment-file';
import { SegmentStartClock } from '../segments/segment-start-clock';
import { FLV_TAG_AUDIO, FLV_TAG_VIDEO, flvTagTimestamp } from './flv';
import { SegmentAudio } from './flv-elementary';
import { FlvInputInspector, InputVerdict } from './flv-input-inspector';
import { FlvSegmenter, TsSegment } from './flv-segmenter';
import { FlvTap } from './flv-tap';
import { FlvTimeline } from './flv-timeline';
import { NmsRtmpSession, hangUp, readAvcConfig } from './nms';

export interface RtmpPublisherSettings {
  rules: InputRules;
  targetSeconds: number;
}

/** Tags held while the input is probed (a GOP or two); more means something is wrong. */
const MAX_PENDING_BYTES = 64 * 1024 * 1024;
/** Cut media not yet written to the spool beyond which the disk is not keeping up with the publisher. */
const MAX_UNWRITTEN_BYTES = 64 * 1024 * 1024;
/**
 * The open segment goes to its spool file whenever this much of it is muxed or this much media
 * time has passed (and the rest when it closes): a publish holds about that much media in
 * memory and makes a few writes a second; a crash loses at most that much of a segment.
 */
const FLUSH_BYTES = 64 * 1024;
const FLUSH_MS = 500;
/** Wall-clock margin over the maximum keyframe interval for the probe to decide. */
const PROBE_MARGIN_MS = 6000;

/**
 * One accepted RTMP publish (key checked, lock held, session open): probes the input
 * from its FLV tags, then feeds the tags to an in-process FlvSegmenter; each segment it
 * cuts is written to the spool and handed to the publish, in order. Tags that arrive while
 * the input is probed are held and fed to the segmenter first, so nothing from the start of
 * the publish is lost. No process runs per publish.
 */
export class RtmpPublisher {
  private readonly logger = new Logger(RtmpPublisher.name);
  private readonly inspector: FlvInputInspector;
  private readonly tap: FlvTap;
  private readonly watchdog: NodeJS.Timeout;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private segmenter?: FlvSegmenter;
  /** set once the segmenter refused the media: later tags are not fed */
  private segmenterFailed = false;
  private resolution: string | null = null;
  /** The spool file of the segment being cut. */
  private file?: SpoolSegmentFile;
  /** Segments are handed on strictly in cut order, each once its file is complete. */
  private handingOn: Promise<void> = Promise.resolve();
  private unwrittenBytes = 0;
  private disconnected = false;
  private hungUp = false;
  private closing?: Promise<void>;
  /** Segment start times from the wall clock at the first media tag (segment-start-clock.ts). */
  private readonly clock = new SegmentStartClock();
  /** The publisher's timestamps made continuous before the inspector and the segmenter see them. */
  private readonly timeline = new FlvTimeline();
  /** timestamp of the first media tag: media time 0 of the start clock and of the segmenter */
  private originMs?: number;

  constructor(
    private readonly session: NmsRtmpSession,
    private readonly publish: Publish,
    private readonly manager: PublishManager,
    private readonly settings: RtmpPublisherSettings,
  ) {
    this.inspector = new FlvInputInspector(settings.rules, readAvcConfig);
    this.clock.notBefore(Date.now()); // the session is open and the publish accepted: no media arrived before
    this.tap = new FlvTap(session, (tag) => this.onTag(tag));
    const probeLimitMs = settings.rules.maxKeyframeIntervalSeconds * 1000 + PROBE_MARGIN_MS;
    this.watchdog = setTimeout(
      () => this.onVerdict(this.inspector.refuse(`no H.264 keyframes received within ${Math.round(probeLimitMs / 1000)} s of the publish`)),
      probeLimitMs,
    );
    publish.onKick((reason) => this.hangUp(reason));
  }

  /** NMS reports the publish over (the publisher left, or we hung up). */
  onDisconnect(): Promise<void> {
    this.disconnected = true;
    this.tap.detach();
    clearTimeout(this.watchdog);
    this.closing ??= this.close();
    return this.closing;
  }

  private onTag(received: Buffer): void {
    if (this.hungUp) return;
    // A copy: the timestamp is rewritten in place, and the buffer is NMS's.
    const tag = Buffer.from(received);
    const jump = this.timeline.retime(tag);
    if (jump) {
      this.logger.warn(
        { event: 'timestamp-jump', sessionId: this.publish.sessionId, streamId: this.publish.streamId, ...jump },
        `publisher timestamps jumped from ${jump.after} ms to ${jump.from} ms; later tags shifted by ${jump.offset} ms to keep the media time continuous`,
      );
    }
    // The low 5 bits of an FLV tag's first byte are its type; the first audio or video tag anchors the clock.
    if ((tag[0] & 0x1f) === FLV_TAG_AUDIO || (tag[0] & 0x1f) === FLV_TAG_VIDEO) this.clockTag(tag);
    if (this.segmenter) {
      this.segment(tag);
      return;
    }
    this.pending.push(tag);
    this.pendingBytes += tag.length;
    if (this.pendingBytes > MAX_PENDING_BYTES) {
      this.onVerdict(this.inspector.refuse('too much media arrived before the input could be probed'));
      return;
    }
    const verdict = this.inspector.feed(tag);
    if (verdict) this.onVerdict(verdict);
  }

  /** The start clock anchors on the first media tag, and learns from the next ones until the first cut. */
  private clockTag(tag: Buffer): void {
    const timestamp = flvTagTimestamp(tag);
    if (this.originMs === undefined) {
      this.originMs = timestamp;
      this.clock.anchor(Date.now());
    } else {
      this.clock.observe(Date.now(), timestamp - this.originMs);
    }
  }

  private onVerdict(verdict: InputVerdict): void {
    if (this.segmenter || this.hungUp || this.disconnected) return;
    clearTimeout(this.watchdog);
    if (!verdict.accepted) {
      this.pending = [];
      this.publish.refuse(verdict.reason, verdict.source);
      return;
    }
    this.startSegmenter(verdict);
  }

  private startSegmenter(verdict: Extract<InputVerdict, { accepted: true }>): void {
    const { width, height } = verdict.source;
    this.resolution = width && height ? `${width}x${height}` : null;
    this.publish.accept(verdict.source, this.resolution, this.targetDurationOf(verdict.source.keyframeIntervalSec));
    const audio = verdict.hasAudio ? (verdict.source.audioCodec as SegmentAudio) : undefined;
    this.segmenter = new FlvSegmenter({ targetSeconds: this.settings.targetSeconds, audio });
    for (const tag of this.pending) this.segment(tag);
    this.pending = [];
    this.pendingBytes = 0;
  }

  private segment(tag: Buffer): void {
    if (this.segmenterFailed) return;
    const segmenter = this.segmenter!;
    try {
      const closed = segmenter.feed(tag);
      if (closed) this.handOn(closed);
      if (segmenter.pendingBytes >= FLUSH_BYTES || segmenter.pendingMs >= FLUSH_MS) this.write(segmenter.drain()!);
    } catch (err) {
      this.segmenterFailed = true;
      this.publish.requestEnd({ state: 'failed', reason: `the input could not be segmented: ${(err as Error).message}` });
    }
  }

  /** Appends muxed bytes to the spool file of their segment (opening it for a new segment). */
  private write(piece: { index: number; data: Buffer }): SpoolSegmentFile {
    if (this.file?.seq !== piece.index) {
      this.file = new SpoolSegmentFile(this.publish.dir, piece.index, (bytes) => (this.unwrittenBytes -= bytes));
    }
    this.unwrittenBytes += piece.data.length;
    if (this.unwrittenBytes > MAX_UNWRITTEN_BYTES) {
      this.publish.requestEnd({ state: 'failed', reason: 'the spool disk could not keep up with the input' });
    }
    this.file.append(piece.data);
    return this.file;
  }

  /** Completes a closed segment's file and submits it, behind the segments cut before it. */
  private handOn(segment: TsSegment): void {
    const closedAt = Date.now();
    // Start times are taken in cut order, here, so they strictly increase whatever the disk does.
    const startedAt = this.clock.cutAt(segment.startSeconds, closedAt - segment.durationMs);
    const written = this.write(segment).close();
    this.file = undefined;
    written.catch(() => undefined); // observed in order below
    this.handingOn = this.handingOn.then(async () => {
      try {
        const { file, bytes } = await written;
        const { index: seq, durationMs } = segment;
        this.publish.submit({ seq, file, durationMs, bytes, resolution: this.resolution, closedAt, startedAt });
      } catch (err) {
        this.publish.requestEnd({
          state: 'failed',
          reason: `segment ${segment.index} could not be written to the spool: ${(err as Error).message}`,
        });
      }
    });
  }

  /** From the keyframe interval the inspector measured (always, for an accepted input). */
  private targetDurationOf(keyframeIntervalSec: number | undefined): number {
    const { targetSeconds, rules } = this.settings;
    if (!keyframeIntervalSec) return provisionalTargetDuration(targetSeconds, rules.maxKeyframeIntervalSeconds);
    return sessionTargetDuration(targetSeconds, longestCutSeconds(targetSeconds, keyframeIntervalSec));
  }

  private async close(): Promise<void> {
    if (this.segmenter && !this.segmenterFailed) {
      // The end of the input closes the last, partial segment: it is handed on like the others.
      const last = this.segmenter.finish();
      if (last) this.handOn(last);
    }
    // A segment the segmenter failed in is not handed on; its file is only closed (the spool directory goes with the publish).
    await this.file?.close().catch(() => undefined);
    await this.handingOn;
    await this.manager.finish(this.publish, {
      state: 'ended',
      reason: this.segmenter ? null : 'publisher left before its input was accepted',
    });
  }

  private hangUp(reason: string): void {
    if (this.hungUp) return;
    this.hungUp = true;
    this.pending = [];
    hangUp(this.session, this.session.publishStreamId, 'NetStream.Publish.Rejected', reason);
  }
}
