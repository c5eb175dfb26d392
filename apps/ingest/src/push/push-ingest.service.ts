import { Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { unlink } from 'node:fs/promises';
import path from 'node:path';
import { InjectConfig, type ConfigOf, ingestConfig, segmentsConfig } from '@lib/config';
import type { StreamEntity } from '@lib/database';
import { InputRules, refusalFor, sessionTargetDuration } from '../input/input-rules';
import { StreamKeyGuard, TooManyKeyFailuresError } from '../auth/stream-key-guard.service';
import { Publish } from '../publish/publish';
import { SegmentStartClock } from '../segments/segment-start-clock';
import { IngestMetrics } from '../ingest-metrics';
import { PublishManager, PublishRefusedError } from '../publish/publish-manager.service';
import { ProbedSegment, PushSegmentProber, mediaDurationMs, probeFailureDetail, sourceOfSegment } from './segment-probe';
import { receiveBody } from './receive-body';
import {
  PushError,
  checkDeclaredDuration,
  checkDeclaredLength,
  checkMethod,
  parseContentDuration,
  parseContentResolution,
  parseSegmentName,
} from './push-request';

/** How many pusher sequence numbers a session remembers to recognise retried pushes. */
const REMEMBERED_PUSHES = 64;

const REFUSAL_STATUS: Record<PublishRefusedError['reason'], number> = {
  'unknown-key': 403,
  'stream-disabled': 403,
  'already-publishing': 409,
  unavailable: 503,
  'shutting-down': 503,
  'over-capacity': 503,
};

/** An HTTP push session: the segments pushed for one stream until they stop coming. */
class PushSession {
  nextSeq = 0;
  accepted = false;
  closed = false;
  idle?: NodeJS.Timeout;
  /** Pushes being received or ingested: while any is, the session is not idle. */
  inFlight = 0;
  /** pusher seq -> relay seq (or -1 while that push is being received) */
  readonly received = new Map<number, number>();
  /** Segment start times: each push's arrival, strictly after the previous one's. */
  readonly clock = new SegmentStartClock();
  /** One encoder feeds the session: ffprobe once, then an in-process scan per segment. */
  readonly prober: PushSegmentProber;

  constructor(
    readonly publish: Publish,
    onFullProbe: () => void,
  ) {
    this.prober = new PushSegmentProber(onFullProbe);
  }

  remember(pusherSeq: number, seq: number): void {
    this.received.set(pusherSeq, seq);
    if (this.received.size > REMEMBERED_PUSHES) this.received.delete(this.received.keys().next().value!);
  }
}

/**
 * HTTP segment push with broadcaster-push semantics (docs/livepeer-protocol.md §2.2): the first push
 * of a key opens a session (key check, lock, Livepeer stream as for RTMP); each push
 * is one complete segment, probed, numbered in arrival order from 0, and handed to
 * the same pipeline as RTMP segments. The session ends after
 * INGEST_PUSH_IDLE_TIMEOUT_MS without a push (go-livepeer's watchdog: 60 s), counted from
 * the answer to the last one: a push still being received or probed keeps it open.
 * A push the pusher retries (same {seq}) is acknowledged, not ingested twice.
 */
@Injectable()
export class PushIngestService {
  private readonly logger = new Logger('Push');
  private readonly sessions = new Map<string, PushSession>();
  private readonly opening = new Map<string, Promise<PushSession>>();
  private readonly rules: InputRules;
  private readonly segmentTargetSeconds: number;
  private accepting = true;

  constructor(
    private readonly manager: PublishManager,
    private readonly keys: StreamKeyGuard,
    @InjectConfig(ingestConfig) private readonly ingest: ConfigOf<typeof ingestConfig>,
    @InjectConfig(segmentsConfig) segments: ConfigOf<typeof segmentsConfig>,
    private readonly metrics: IngestMetrics,
  ) {
    this.rules = { maxKeyframeIntervalSeconds: segments.maxKeyframeIntervalSeconds };
    this.segmentTargetSeconds = segments.targetSeconds;
  }

  stopAccepting(): void {
    this.accepting = false;
  }

  async handle(req: Request, res: Response, streamKey: string, segmentName: string): Promise<void> {
    const body = { read: false };
    try {
      const answer = await this.receive(req, streamKey, segmentName, body);
      res.status(200).type('text/plain').send(answer);
    } catch (err) {
      const error = err instanceof PushError ? err : new PushError(500, 'internal error');
      if (!(err instanceof PushError)) this.logger.error({ err: (err as Error)?.stack ?? String(err) }, 'push failed');
      if (error.status === 405) res.set('Allow', 'PUT, POST');
      if (error.retryAfterSeconds !== undefined) res.set('Retry-After', String(error.retryAfterSeconds));
      // An unread body is not worth draining: the connection goes with the answer.
      if (!body.read) res.set('Connection', 'close');
      if (error.json) res.status(error.status).json(error.json);
      else res.status(error.status).type('text/plain').send(error.message);
    }
  }

  private async receive(req: Request, streamKey: string, segmentName: string, body: { read: boolean }): Promise<string> {
    // The request's first byte is here (express calls the handler once the headers arrived): the segment's start.
    const arrivedAt = Date.now();
    if (!this.accepting) throw new PushError(503, 'ingest is shutting down');
    checkMethod(req.method);
    const pusherSeq = parseSegmentName(segmentName);
    const declaredDurationMs = parseContentDuration(req.headers['content-duration']);
    const declaredResolution = parseContentResolution(req.headers['content-resolution']);
    checkDeclaredLength(req.headers['content-length'], this.ingest.maxPushBytes);
    const peer = req.socket.remoteAddress;

    const stream = await this.refusalsAsPushErrors(() => this.keys.authorize(streamKey, 'http', peer));
    const session = await this.sessionFor(stream, peer);
    this.pushStarted(session);
    try {
      return await this.receiveInto(session, req, { pusherSeq, declaredDurationMs, declaredResolution, arrivedAt }, body, peer);
    } finally {
      this.pushEnded(session);
    }
  }

  private async receiveInto(
    session: PushSession,
    req: Request,
    declared: { pusherSeq: number; declaredDurationMs?: number; declaredResolution?: string; arrivedAt: number },
    body: { read: boolean },
    peer?: string,
  ): Promise<string> {
    const { pusherSeq, declaredDurationMs, declaredResolution, arrivedAt } = declared;
    const file = path.join(session.publish.dir, `push-${randomUUID()}.ts`);
    const bytes = await receiveBody(req, file, this.ingest.maxPushBytes).catch((err: PushError) => {
      if (err.refusal) this.manager.noteRefusal('http', err.refusal, err.message, peer, session.publish.streamId);
      throw err;
    });
    body.read = true;

    if (session.received.has(pusherSeq)) {
      await unlink(file).catch(() => undefined);
      return `segment ${pusherSeq} already received`;
    }
    session.received.set(pusherSeq, -1);
    try {
      const seq = await this.ingestSegment(session, file, bytes, declaredDurationMs, declaredResolution, arrivedAt);
      session.remember(pusherSeq, seq);
      return '';
    } catch (err) {
      session.received.delete(pusherSeq);
      await unlink(file).catch(() => undefined);
      throw err;
    }
  }

  private async ingestSegment(
    session: PushSession,
    file: string,
    bytes: number,
    declaredDurationMs: number | undefined,
    declaredResolution: string | undefined,
    arrivedAt: number,
  ): Promise<number> {
    let probed: ProbedSegment;
    try {
      probed = await session.prober.probe(file);
    } catch (err) {
      throw this.refuseSegment(session, `segment cannot be probed as MPEG-TS: ${probeFailureDetail(err)}`, {});
    }
    const source = sourceOfSegment(probed);
    const refusal =
      refusalFor(source, this.rules) ??
      (probed.keyframes.length === 0 ? 'segment has no keyframe: push segments that start with a keyframe' : null);
    if (refusal) throw this.refuseSegment(session, refusal, source);
    const durationMs = mediaDurationMs(probed);
    try {
      checkDeclaredDuration(declaredDurationMs, durationMs);
    } catch (err) {
      throw this.refuseSegment(session, (err as PushError).message, source);
    }
    if (session.closed) throw new PushError(503, 'the push session ended while this segment was received; push it again');

    const resolution = declaredResolution ?? (source.width && source.height ? `${source.width}x${source.height}` : null);
    if (!session.accepted) {
      session.accepted = true;
      // Pushed segments come cut already: the first one's length is the measure of the session's.
      session.publish.accept(source, resolution, sessionTargetDuration(this.segmentTargetSeconds, durationMs / 1000));
    }
    const seq = session.nextSeq++;
    const overTarget = session.publish.submit({
      seq,
      file,
      bytes,
      durationMs,
      resolution: resolution ?? session.publish.sourceResolution,
      closedAt: Date.now(),
      startedAt: session.clock.arrivedAt(arrivedAt),
    });
    // The session ended for it: pushed again, the segment opens a session that measures it afresh.
    if (overTarget) throw new PushError(503, `${overTarget}; push it again`);
    return seq;
  }

  /** A bad segment gets a 422; if it was the session's first, the session fails with the reason. */
  private refuseSegment(session: PushSession, reason: string, source: object): PushError {
    if (!session.accepted) session.publish.refuse(reason, source);
    else this.manager.noteRefusal('http', 'input', reason, undefined, session.publish.streamId);
    return new PushError(422, reason);
  }

  private async sessionFor(stream: StreamEntity, peer?: string): Promise<PushSession> {
    const current = this.sessions.get(stream.id);
    if (current && !current.closed) return current;
    let opening = this.opening.get(stream.id);
    if (!opening) {
      opening = this.open(stream, peer).finally(() => this.opening.delete(stream.id));
      this.opening.set(stream.id, opening);
    }
    return opening;
  }

  private async open(stream: StreamEntity, peer?: string): Promise<PushSession> {
    const publish = await this.refusalsAsPushErrors(() => this.manager.start(stream, 'http', peer));
    const session = new PushSession(publish, () => this.metrics.pushFullProbes.inc());
    publish.onKick(() => this.close(session));
    this.sessions.set(stream.id, session);
    this.keepAlive(session);
    return session;
  }

  /**
   * Probing a segment can take seconds on a busy machine, and a pusher sends its next segment
   * only after the answer: the idle time must not run out while a push is being handled.
   */
  private pushStarted(session: PushSession): void {
    session.inFlight++;
    clearTimeout(session.idle);
  }

  private pushEnded(session: PushSession): void {
    session.inFlight--;
    if (session.inFlight === 0 && !session.closed) this.keepAlive(session);
  }

  private keepAlive(session: PushSession): void {
    clearTimeout(session.idle);
    session.idle = setTimeout(
      () =>
        session.publish.requestEnd({
          state: 'ended',
          reason: `no segment pushed for ${Math.round(this.ingest.pushIdleTimeoutMs / 1000)} s`,
        }),
      this.ingest.pushIdleTimeoutMs,
    );
  }

  private close(session: PushSession): void {
    if (session.closed) return;
    session.closed = true;
    clearTimeout(session.idle);
    if (this.sessions.get(session.publish.streamId) === session) this.sessions.delete(session.publish.streamId);
    void this.manager.finish(session.publish);
  }

  private async refusalsAsPushErrors<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof PublishRefusedError && err.reason === 'over-capacity') {
        const json = { error: err.reason, reason: err.detail, message: err.message, retryAfterSeconds: err.retryAfterSeconds };
        throw new PushError(REFUSAL_STATUS[err.reason], err.message, undefined, err.retryAfterSeconds, json);
      }
      if (err instanceof PublishRefusedError) throw new PushError(REFUSAL_STATUS[err.reason], err.message);
      if (err instanceof TooManyKeyFailuresError) throw new PushError(429, err.message, undefined, Math.ceil(err.retryAfterMs / 1000));
      throw err;
    }
  }
}
