import { Logger } from '@nestjs/common';
import { Segmenter } from '@lib/media';
import { InputRules } from '../input/input-rules';
import { Publish } from '../publish/publish';
import { PublishManager, PublishRefusedError } from '../publish/publish-manager.service';
import { flvHeader } from './flv';
import { FlvInputInspector, InputVerdict } from './flv-input-inspector';
import { FlvTap } from './flv-tap';
import { NmsRtmpSession, readAvcConfig } from './nms';

export interface RtmpPublisherSettings {
  rules: InputRules;
  targetSeconds: number;
}

/** Tags held while the key is checked and the input probed (a GOP or two); more means something is wrong. */
const MAX_PENDING_BYTES = 64 * 1024 * 1024;
/** The segmenter's stdin backlog beyond which it is not keeping up with the publisher. */
const MAX_SEGMENTER_BACKLOG_BYTES = 64 * 1024 * 1024;
/** After asking the publisher to go (status message + FIN), how long before the connection is cut. */
const HANG_UP_GRACE_MS = 2000;
/** Wall-clock margin over the maximum keyframe interval for the probe to decide. */
const PROBE_MARGIN_MS = 6000;

/**
 * One RTMP publish from the moment NMS accepted the `publish` command: checks the key
 * and takes the lock (through PublishManager), probes the input from its FLV tags,
 * then pipes the tags into a Segmenter whose closed segments go to the publish.
 * Tags that arrive while the key is checked and the input probed are held and fed
 * to the segmenter first, so nothing from the start of the publish is lost.
 */
export class RtmpPublisher {
  private readonly logger = new Logger(RtmpPublisher.name);
  private readonly inspector: FlvInputInspector;
  private readonly tap: FlvTap;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private publish?: Publish;
  private segmenter?: Segmenter;
  private disconnected = false;
  private hungUp = false;
  private watchdog?: NodeJS.Timeout;
  private closing?: Promise<void>;

  constructor(
    private readonly session: NmsRtmpSession,
    private readonly streamKey: string,
    private readonly manager: PublishManager,
    private readonly settings: RtmpPublisherSettings,
  ) {
    this.inspector = new FlvInputInspector(settings.rules, readAvcConfig);
    this.tap = new FlvTap(session, (tag) => this.onTag(tag));
  }

  private get peer(): string {
    return this.session.ip;
  }

  async start(): Promise<void> {
    try {
      const stream = await this.manager.authorize(this.streamKey, 'rtmp', this.peer);
      this.publish = await this.manager.start(stream, 'rtmp', this.peer);
    } catch (err) {
      const message = err instanceof PublishRefusedError ? err.message : 'ingest could not start the publish';
      if (!(err instanceof PublishRefusedError)) this.logger.error({ err: (err as Error).message, peer: this.peer }, message);
      this.hangUp(message, err instanceof PublishRefusedError && err.reason === 'unknown-key' ? 'NetStream.Publish.BadName' : 'NetStream.Publish.Rejected');
      return;
    }
    if (this.disconnected) {
      await this.manager.finish(this.publish, { state: 'ended', reason: 'publisher left before its input was accepted' });
      return;
    }
    this.publish.onKick((reason) => this.hangUp(reason));
    const probeLimitMs = this.settings.rules.maxKeyframeIntervalSeconds * 1000 + PROBE_MARGIN_MS;
    this.watchdog = setTimeout(
      () => this.onVerdict(this.inspector.refuse(`no H.264 keyframes received within ${Math.round(probeLimitMs / 1000)} s of the publish`)),
      probeLimitMs,
    );
    if (this.inspector.decided) this.onVerdict(this.inspector.decided);
  }

  /** NMS reports the publish over (the publisher left, or we hung up). */
  onDisconnect(): Promise<void> {
    this.disconnected = true;
    this.tap.detach();
    clearTimeout(this.watchdog);
    this.closing ??= this.close();
    return this.closing;
  }

  private onTag(tag: Buffer): void {
    if (this.hungUp) return;
    if (this.segmenter) {
      const input = this.segmenter.input;
      input?.write(tag);
      if (input && input.writableLength > MAX_SEGMENTER_BACKLOG_BYTES) {
        this.publish?.requestEnd({ state: 'failed', reason: 'the segmenter could not keep up with the input' });
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
    if (!this.publish || this.segmenter || this.hungUp || this.disconnected) return;
    clearTimeout(this.watchdog);
    if (!verdict.accepted) {
      this.pending = [];
      this.publish.refuse(verdict.reason, verdict.source);
      return;
    }
    this.startSegmenter(verdict);
  }

  private startSegmenter(verdict: Extract<InputVerdict, { accepted: true }>): void {
    const publish = this.publish!;
    const { width, height } = verdict.source;
    const resolution = width && height ? `${width}x${height}` : null;
    publish.accept(verdict.source, resolution);
    const segmenter = new Segmenter({ outputDir: publish.dir, targetSeconds: this.settings.targetSeconds, inputFormat: 'flv' });
    this.segmenter = segmenter;
    segmenter.onSegment((segment) =>
      publish.submit({
        seq: segment.index,
        file: segment.file,
        durationMs: segment.durationMs,
        bytes: segment.bytes,
        resolution,
        closedAt: segment.closedAt,
      }),
    );
    void segmenter.done.then((exit) => {
      if (this.disconnected || this.hungUp) return;
      publish.requestEnd({ state: 'failed', reason: `the segmenter stopped (exit ${exit.code ?? exit.signal}): ${exit.stderr.slice(-300) || 'no message'}` });
    });
    const input = segmenter.input!;
    input.write(flvHeader({ audio: verdict.hasAudio, video: true }));
    for (const tag of this.pending) input.write(tag);
    this.pending = [];
    this.pendingBytes = 0;
  }

  private async close(): Promise<void> {
    const publish = this.publish;
    if (!publish) return; // still checking the key: start() ends the publish when it sees the disconnect
    if (this.segmenter) {
      // Ending the input makes ffmpeg close the last, partial segment: it is handed on like the others.
      const exit = await this.segmenter.finish(10_000);
      if (!exit.ok && !this.hungUp) {
        this.logger.warn({ sessionId: publish.sessionId, code: exit.code, signal: exit.signal, stderr: exit.stderr.slice(-500) }, 'segmenter ended with an error');
      }
    }
    await this.manager.finish(publish, {
      state: 'ended',
      reason: this.segmenter ? null : 'publisher left before its input was accepted',
    });
  }

  /** Tells the publisher why (an RTMP error status, which ffmpeg and OBS show), then closes the connection. */
  private hangUp(reason: string, code = 'NetStream.Publish.Rejected'): void {
    if (this.hungUp) return;
    this.hungUp = true;
    this.pending = [];
    try {
      this.session.sendStatusMessage(this.session.publishStreamId, 'error', code, reason);
      this.session.socket.end();
    } catch {
      // the socket is already gone
    }
    setTimeout(() => this.session.reject(), HANG_UP_GRACE_MS).unref();
  }
}
