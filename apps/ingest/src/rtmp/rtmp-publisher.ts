import { Logger } from '@nestjs/common';
import { Segmenter } from '@lib/media';
import { InputRules, longestCutSeconds, provisionalTargetDuration, sessionTargetDuration } from '../input/input-rules';
import { Publish } from '../publish/publish';
import { PublishManager } from '../publish/publish-manager.service';
import { SegmentStartClock } from '../segments/segment-start-clock';
import { FLV_TAG_AUDIO, FLV_TAG_VIDEO, flvHeader } from './flv';
import { FlvInputInspector, InputVerdict } from './flv-input-inspector';
import { FlvTap } from './flv-tap';
import { FlvTimeline } from './flv-timeline';
import { NmsRtmpSession, hangUp, readAvcConfig } from './nms';

export interface RtmpPublisherSettings {
  rules: InputRules;
  targetSeconds: number;
}

/** Tags held while the input is probed (a GOP or two); more means something is wrong. */
const MAX_PENDING_BYTES = 64 * 1024 * 1024;
/** The segmenter's stdin backlog beyond which it is not keeping up with the publisher. */
const MAX_SEGMENTER_BACKLOG_BYTES = 64 * 1024 * 1024;
/** Wall-clock margin over the maximum keyframe interval for the probe to decide. */
const PROBE_MARGIN_MS = 6000;

/**
 * One accepted RTMP publish (key checked, lock held, session open): probes the input
 * from its FLV tags, then pipes the tags into a Segmenter whose closed segments go to
 * the publish. Tags that arrive while the input is probed are held and fed to the
 * segmenter first, so nothing from the start of the publish is lost.
 */
export class RtmpPublisher {
  private readonly logger = new Logger(RtmpPublisher.name);
  private readonly inspector: FlvInputInspector;
  private readonly tap: FlvTap;
  private readonly watchdog: NodeJS.Timeout;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private segmenter?: Segmenter;
  private disconnected = false;
  private hungUp = false;
  private closing?: Promise<void>;
  /** Segment start times from the wall clock at the first media tag (segment-start-clock.ts). */
  private readonly clock = new SegmentStartClock();
  /** The publisher's timestamps made continuous before the inspector and the segmenter see them. */
  private readonly timeline = new FlvTimeline();

  constructor(
    private readonly session: NmsRtmpSession,
    private readonly publish: Publish,
    private readonly manager: PublishManager,
    private readonly settings: RtmpPublisherSettings,
  ) {
    this.inspector = new FlvInputInspector(settings.rules, readAvcConfig);
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
    if (!this.clock.anchored && ((tag[0] & 0x1f) === FLV_TAG_AUDIO || (tag[0] & 0x1f) === FLV_TAG_VIDEO)) this.clock.anchor(Date.now());
    if (this.segmenter) {
      const input = this.segmenter.input;
      input?.write(tag);
      if (input && input.writableLength > MAX_SEGMENTER_BACKLOG_BYTES) {
        this.publish.requestEnd({ state: 'failed', reason: 'the segmenter could not keep up with the input' });
      }
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
    const publish = this.publish;
    const { width, height } = verdict.source;
    const resolution = width && height ? `${width}x${height}` : null;
    publish.accept(verdict.source, resolution, this.targetDurationOf(verdict.source.keyframeIntervalSec));
    const segmenter = new Segmenter({ outputDir: publish.dir, targetSeconds: this.settings.targetSeconds, inputFormat: 'flv' });
    this.segmenter = segmenter;
    segmenter.onSegment((segment) => {
      const cut = {
        seq: segment.index,
        file: segment.file,
        durationMs: segment.durationMs,
        bytes: segment.bytes,
        resolution,
        closedAt: segment.closedAt,
        startedAt: this.clock.cutAt(segment.startSeconds, segment.closedAt - segment.durationMs),
      };
      // The timeline keeps timestamps continuous, so this is a last resort: the segment is recorded, never lost silently.
      if (segment.invalidTiming) publish.discard(cut, 'timestamp-discontinuity', segment.invalidTiming);
      else publish.submit(cut);
    });
    void segmenter.done.then((exit) => {
      if (this.disconnected || this.hungUp) return;
      publish.requestEnd({
        state: 'failed',
        reason: `the segmenter stopped (exit ${exit.code ?? exit.signal}): ${exit.stderr.slice(-300) || 'no message'}`,
      });
    });
    const input = segmenter.input!;
    input.write(flvHeader({ audio: verdict.hasAudio, video: true }));
    for (const tag of this.pending) input.write(tag);
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** From the keyframe interval the inspector measured (always, for an accepted input). */
  private targetDurationOf(keyframeIntervalSec: number | undefined): number {
    const { targetSeconds, rules } = this.settings;
    if (!keyframeIntervalSec) return provisionalTargetDuration(targetSeconds, rules.maxKeyframeIntervalSeconds);
    return sessionTargetDuration(targetSeconds, longestCutSeconds(targetSeconds, keyframeIntervalSec));
  }

  private async close(): Promise<void> {
    if (this.segmenter) {
      // Ending the input makes ffmpeg close the last, partial segment: it is handed on like the others.
      const exit = await this.segmenter.finish(10_000);
      if (!exit.ok && !this.hungUp) {
        this.logger.warn(
          { sessionId: this.publish.sessionId, code: exit.code, signal: exit.signal, stderr: exit.stderr.slice(-500) },
          'segmenter ended with an error',
        );
      }
    }
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
