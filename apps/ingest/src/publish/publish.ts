import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SourceInfo, StreamEntity } from '@lib/database';
import { CreateStreamRequest, LivepeerApiClient, LivepeerConfigError, LivepeerStream } from '@lib/livepeer';
import type { StreamsService } from '@lib/streams';
import { backoffDelay, sleep } from '@lib/timing';
import { overTargetReason } from '../input/input-rules';
import { IngestMetrics, Protocol } from '../ingest-metrics';
import { LivepeerGate } from '../segments/livepeer-gate';
import { LIVEPEER_RETRY } from '../segments/ingest-backoffs';
import { ClosedSegment, SegmentShipper, SegmentShipperFactory } from '../segments/segment-shipper';
import { AdmissionService } from '../admission/admission.service';
import { PublishLockService } from './publish-lock.service';
import { SessionRecorder } from './session-recorder.service';

/** At the end of a publish, how long a POST /stream already sent may still take to answer. */
const IN_FLIGHT_CREATE_WAIT_MS = 3000;

export interface PublishOutcome {
  state: 'ended' | 'failed';
  reason: string | null;
}

export interface PublishServices {
  sessions: SessionRecorder;
  lock: PublishLockService;
  admission: AdmissionService;
  livepeer: LivepeerApiClient;
  streams: StreamsService;
  shippers: SegmentShipperFactory;
  metrics: IngestMetrics;
  spoolDir: string;
  /** Recorded when the session opens, until accept() decides the session's own. */
  provisionalTargetDuration: number;
}

/**
 * One publish of a stream = one session = one Livepeer stream (docs/design-notes.md, "Session").
 * Transport-neutral: the RTMP publisher and the HTTP push session drive it (accept the
 * input, submit segments, end), and it tells them to hang up (`onKick`) when the
 * publish must stop for its own reasons: stream disabled, lock lost, Livepeer refused
 * the ladder, ingest shutting down.
 */
export class Publish {
  readonly sessionId = randomUUID();
  /** Owner token of the publish lock: which process and which session hold the stream. */
  readonly lockOwner = `${os.hostname()}/${process.pid}/${this.sessionId}`;
  readonly dir: string;
  private readonly logger: Logger;
  private readonly gate = new LivepeerGate();
  private readonly shipper: SegmentShipper;
  private readonly stopped = new AbortController();
  private heartbeat?: NodeJS.Timeout;
  private requested?: PublishOutcome;
  private kickHandlers: ((reason: string) => void)[] = [];
  private ending?: Promise<PublishOutcome>;
  private creating?: Promise<void>;
  private resolution: string | null = null;
  /** The session's HLS target duration, fixed when the input is accepted. */
  private target?: number;

  constructor(
    readonly stream: StreamEntity,
    readonly protocol: Protocol,
    private readonly services: PublishServices,
  ) {
    this.dir = path.join(services.spoolDir, this.sessionId);
    this.logger = new Logger(`Publish:${protocol}`);
    this.shipper = services.shippers.create({ sessionId: this.sessionId, streamId: stream.id, protocol, gate: this.gate }, this.logger);
  }

  get streamId(): string {
    return this.stream.id;
  }

  get ended(): boolean {
    return this.ending !== undefined;
  }

  /** Resolves when end() has completed (segments handed on, session closed, lock released). */
  get closed(): Promise<PublishOutcome> | undefined {
    return this.ending;
  }

  /** Creates the session row (state `starting`) and starts renewing the lock; the lock is already held. */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await this.services.sessions.create({
      id: this.sessionId,
      streamId: this.stream.id,
      protocol: this.protocol,
      targetDuration: this.services.provisionalTargetDuration,
    });
    const every = Math.max(1000, Math.floor(this.services.lock.ttlMs / 3));
    this.heartbeat = setInterval(() => void this.beat(), every);
    this.services.metrics.activePublishes.inc({ protocol: this.protocol });
    this.log('publish started', { event: 'publish-started' });
  }

  /** The transport's way to hang up on the publisher; called at once if an end was already asked for. */
  onKick(handler: (reason: string) => void): void {
    this.kickHandlers.push(handler);
    if (this.requested && !this.ending) handler(this.requested.reason ?? 'publish ended');
  }

  /**
   * The input passed the probe: record it with the session's target duration (measured from
   * the input, fixed from now on) while the Livepeer stream is created (retrying while the
   * publish lasts). The stitcher reads the target duration once the session is live, so the
   * session goes live only after it is written; a slow database does not delay the stream.
   */
  accept(source: SourceInfo, resolution: string | null, targetDuration: number): void {
    this.resolution = resolution;
    this.target = targetDuration;
    this.log(`input accepted; target duration ${targetDuration} s`, { event: 'input-accepted', source, targetDuration });
    const recorded = this.services.sessions
      .setInput(this.sessionId, source, targetDuration)
      .catch((err) => this.warn('could not store source info and target duration', err));
    this.creating = this.createLivepeerStream(recorded);
  }

  /** Set once the input is accepted. */
  get targetDuration(): number | undefined {
    return this.target;
  }

  /** The input cannot be relayed: the session fails with the reason and the publisher is hung up on. */
  refuse(reason: string, source: SourceInfo): void {
    this.services.metrics.refusals.inc({ protocol: this.protocol, reason: 'input' });
    this.logger.warn(
      { event: 'input-refused', sessionId: this.sessionId, streamId: this.streamId, reason, source },
      `input refused: ${reason}`,
    );
    void this.services.sessions.setSource(this.sessionId, source).catch(() => undefined);
    this.requestEnd({ state: 'failed', reason: `input refused: ${reason}` });
  }

  get sourceResolution(): string | null {
    return this.resolution;
  }

  /**
   * Hands a closed segment on. One longer than the session's target duration would break its
   * playlists (RFC 8216: EXTINF never rounds above EXT-X-TARGETDURATION, which never changes):
   * it is recorded as dropped instead, and the publish ends so that the publisher's reconnect
   * starts a session whose target duration is measured afresh. Returns that reason, or null.
   */
  submit(segment: ClosedSegment): string | null {
    const overTarget = this.target === undefined ? null : overTargetReason(segment.seq, segment.durationMs, this.target);
    if (!overTarget) {
      this.shipper.submit(segment);
      return null;
    }
    this.logger.warn(
      {
        event: 'segment-over-target',
        sessionId: this.sessionId,
        streamId: this.streamId,
        seq: segment.seq,
        durationMs: segment.durationMs,
        targetDuration: this.target,
      },
      overTarget,
    );
    this.shipper.discard(segment, 'over-target-duration', overTarget);
    this.requestEnd({ state: 'ended', reason: overTarget });
    return overTarget;
  }

  /** Asks the transport to end the publish; the first outcome asked for is the one recorded. */
  requestEnd(outcome: PublishOutcome): void {
    if (this.ending) return;
    const first = !this.requested;
    this.requested ??= outcome;
    if (!first) return;
    for (const kick of this.kickHandlers) {
      try {
        kick(outcome.reason ?? 'publish ended');
      } catch (err) {
        this.warn('hanging up on the publisher failed', err);
      }
    }
  }

  /**
   * Ends the publish once the transport has stopped (the last segment submitted):
   * waits for every segment to be queued or dropped, closes the session with the
   * requested outcome (or `fallback`), releases the lock. Idempotent.
   */
  end(fallback: PublishOutcome = { state: 'ended', reason: null }): Promise<PublishOutcome> {
    this.ending ??= this.finish(this.requested ?? fallback);
    return this.ending;
  }

  /** Shutdown deadline passed: segments still waiting are dropped (recorded) instead of retried. */
  abandonWaitingSegments(reason: string): void {
    this.shipper.abort(reason);
  }

  private async finish(outcome: PublishOutcome): Promise<PublishOutcome> {
    clearInterval(this.heartbeat);
    // No new attempt at the Livepeer stream; one in flight may still land for the segments waiting.
    this.stopped.abort();
    if (this.creating) await Promise.race([this.creating, sleep(IN_FLIGHT_CREATE_WAIT_MS)]);
    const why = outcome.reason ?? 'the publish ended';
    this.gate.close(this.gate.livepeerStreamId ? why : `no Livepeer stream: ${why}`);
    await this.shipper.drain();
    try {
      await this.services.sessions.finish(this.sessionId, this.streamId, outcome.state, outcome.reason);
    } catch (err) {
      this.warn('could not close the session row', err);
    }
    await this.services.lock.release(this.streamId, this.lockOwner).catch((err) => this.warn('could not release the publish lock', err));
    await this.services.admission.release(this.sessionId).catch((err) => this.warn('could not release the admission slot', err));
    await rm(this.dir, { recursive: true, force: true }).catch(() => undefined);
    this.services.metrics.activePublishes.dec({ protocol: this.protocol });
    this.log(`publish ${outcome.state}${outcome.reason ? `: ${outcome.reason}` : ''}`, {
      event: 'publish-ended',
      state: outcome.state,
      reason: outcome.reason,
    });
    return outcome;
  }

  /** `recorded`: the write of the input that must land before the session is marked live. */
  private async createLivepeerStream(recorded: Promise<unknown>): Promise<void> {
    const { profiles, presets } = this.stream.ladder ?? {};
    const request: CreateStreamRequest = { name: this.stream.name };
    if (profiles?.length) request.profiles = profiles as CreateStreamRequest['profiles'];
    if (presets?.length) request.presets = presets;
    for (let attempt = 1; !this.stopped.signal.aborted; attempt++) {
      try {
        const created = await this.services.livepeer.createStream(request);
        this.gate.open(created.id);
        this.log('Livepeer stream created; session live', { event: 'session-live', livepeerStreamId: created.id, attempt });
        await recorded;
        await this.recordLive(created);
        return;
      } catch (err) {
        if (this.stopped.signal.aborted) return;
        if (err instanceof LivepeerConfigError) {
          this.services.metrics.livepeerCreateFailures.inc({ kind: 'config' });
          const reason = `Livepeer configuration error: ${err.errors.join('; ')}`;
          this.logger.error(
            { event: 'livepeer-config-error', sessionId: this.sessionId, streamId: this.streamId, errors: err.errors },
            reason,
          );
          this.gate.close(reason);
          this.requestEnd({ state: 'failed', reason });
          return;
        }
        this.services.metrics.livepeerCreateFailures.inc({ kind: 'retryable' });
        const delay = backoffDelay(attempt, LIVEPEER_RETRY);
        const reason = `waiting for the Livepeer API (attempt ${attempt} failed: ${(err as Error).message}); retrying in ${delay} ms`;
        this.logger.warn({ event: 'livepeer-create-retry', sessionId: this.sessionId, attempt, err: (err as Error).message }, reason);
        await this.services.sessions.setReason(this.sessionId, reason).catch(() => undefined);
        await sleep(delay, this.stopped.signal);
      }
    }
  }

  /** The stream exists whatever the database says: never create a second one because a write failed. */
  private async recordLive(created: LivepeerStream): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.services.sessions.markLive(this.sessionId, this.streamId, created);
        return;
      } catch (err) {
        if (attempt === 1) this.warn('could not mark the session live; retrying', err);
        if (!(await sleep(backoffDelay(attempt, LIVEPEER_RETRY), this.stopped.signal))) return;
      }
    }
  }

  /** Keeps the lock, and notices a disabled stream even if its event was missed. */
  private async beat(): Promise<void> {
    try {
      if (!(await this.services.lock.refresh(this.streamId, this.lockOwner))) {
        this.requestEnd({ state: 'ended', reason: 'publish lock lost: the stream is being published through another ingest' });
        return;
      }
      await this.services.admission.renew(this.sessionId);
      const current = await this.services.streams.findEntity(this.streamId);
      if (!current || !current.enabled) this.requestEnd({ state: 'ended', reason: 'stream disabled' });
    } catch (err) {
      // Redis or the database away for a moment: keep publishing, try again next beat.
      this.logger.debug({ sessionId: this.sessionId, err: (err as Error).message }, 'publish heartbeat failed');
    }
  }

  private log(message: string, fields: Record<string, unknown>): void {
    this.logger.log({ sessionId: this.sessionId, streamId: this.streamId, protocol: this.protocol, ...fields }, message);
  }

  private warn(message: string, err: unknown): void {
    this.logger.warn({ sessionId: this.sessionId, err: (err as Error)?.message ?? String(err) }, message);
  }
}
