import { Injectable, Logger } from '@nestjs/common';
import { readFile, unlink } from 'node:fs/promises';
import { InjectConfig, type ConfigOf, ingestConfig, segmentsConfig } from '@lib/config';
import { DropReason, LedgerService } from '@lib/database';
import { UploadSegmentPayload } from '@lib/queue';
import { CONTENT_TYPES, StorageService, objectKeys } from '@lib/storage';
import { type Backoff, backoffDelay, sleep, withTimeout } from '@lib/timing';
import { IngestMetrics, Protocol } from '../ingest-metrics';
import { LivepeerGate } from './livepeer-gate';
import { OrderedStage } from './ordered-stage';
import { INFRA_RETRY } from './ingest-backoffs';
import { SegmentBacklog, liveDeadline } from './segment-backlog';
import { UploadProducer } from './upload-producer.service';

/** A complete segment on local disk, as the segmenter (or a push) hands it over. */
export interface ClosedSegment {
  seq: number;
  file: string;
  durationMs: number;
  bytes: number;
  /** WIDTHxHEIGHT of the source */
  resolution: string | null;
  /** epoch ms the segment was closed: ingestedAt, and the start of the live deadline */
  closedAt: number;
  /** epoch ms its first frame reached ingest (segment-start-clock.ts): the ledger's started_at */
  startedAt: number;
}

/** A closed segment that is not handed on, only recorded (in order) as dropped. */
interface DiscardedSegment extends ClosedSegment {
  discarded: { reason: DropReason; detail: string };
}

interface SessionRef {
  sessionId: string;
  streamId: string;
  protocol: Protocol;
  gate: LivepeerGate;
}

const PUT_TIMEOUT_MS = 15_000;
/** Logs a failing stage on its first failure and then every N attempts, not on each. */
const LOG_EVERY_ATTEMPTS = 10;

/**
 * Hands one session's segments on, in sequence order (issue: "Per publish"):
 *   1. store stage: put to the object store, record `ingested` in the ledger;
 *   2. queue stage: wait for the session's Livepeer stream, enqueue the upload job,
 *      record `queued`.
 * While the store or Redis is unreachable, a stage retries its oldest segment and the
 * others wait behind it (on local disk for the store stage); once the process-wide
 * backlog is over INGEST_BUFFER_MAX_SEGMENTS, the oldest is dropped with
 * `storage-unavailable` / `queue-unavailable` instead. Every segment ends as a ledger
 * row: queued, or dropped with a reason.
 */
export class SegmentShipper {
  private readonly store = new OrderedStage<ClosedSegment | DiscardedSegment>((s) =>
    'discarded' in s ? this.drop(s, s.discarded.reason, s.discarded.detail, false) : this.storeSegment(s),
  );
  private readonly queue = new OrderedStage<ClosedSegment>((s) => this.queueSegment(s));
  private readonly aborted = new AbortController();
  private abortReason = '';

  constructor(
    private readonly session: SessionRef,
    private readonly deps: ShipperDeps,
    private readonly logger: Logger,
  ) {}

  submit(segment: ClosedSegment | DiscardedSegment): void {
    this.deps.backlog.add();
    this.deps.metrics.segmentsCut.inc({ protocol: this.session.protocol });
    this.updateBufferGauge();
    this.store.push(segment);
  }

  /** Records a segment as dropped without storing it, in its place in the sequence. */
  discard(segment: ClosedSegment, reason: DropReason, detail: string): void {
    this.submit({ ...segment, discarded: { reason, detail } });
  }

  /** Resolves once every submitted segment is queued or dropped. */
  async drain(): Promise<void> {
    await this.store.whenIdle();
    await this.queue.whenIdle();
  }

  /** Gives up on segments still waiting (shutdown deadline): each is dropped with its stage's reason. */
  abort(reason: string): void {
    this.abortReason = reason;
    this.aborted.abort();
  }

  private async storeSegment(segment: ClosedSegment): Promise<void> {
    const key = objectKeys.sourceSegment(this.session.sessionId, segment.seq);
    let body: Buffer;
    try {
      body = await readFile(segment.file);
    } catch (err) {
      return this.drop(segment, 'storage-unavailable', `local segment file unreadable: ${(err as Error).message}`, false);
    }
    for (let attempt = 1; ; attempt++) {
      if (this.aborted.signal.aborted) return this.drop(segment, 'storage-unavailable', this.abortReason, false);
      try {
        await withTimeout(this.deps.storage.put(key, body, CONTENT_TYPES.mpegts), PUT_TIMEOUT_MS, 'object store put');
        break;
      } catch (err) {
        if (!(await this.afterFailure(segment, 'storage-unavailable', 'object store', attempt, err, false))) return;
      }
    }
    await this.persist('record ingested', () => this.deps.ledger.recordIngested(this.ingestedRow(segment)));
    await unlink(segment.file).catch(() => undefined);
    this.queue.push(segment);
  }

  private async queueSegment(segment: ClosedSegment): Promise<void> {
    const deadline = liveDeadline(segment.closedAt, segment.durationMs, this.deps.liveDeadlineFactor);
    const gate = await this.session.gate.wait(deadline);
    if (!gate.ready) return this.drop(segment, 'no-livepeer-stream', gate.reason, true);
    for (let attempt = 1; ; attempt++) {
      if (this.aborted.signal.aborted) return this.drop(segment, 'queue-unavailable', this.abortReason, true);
      try {
        await this.deps.producer.enqueue(this.payload(segment, gate.livepeerStreamId));
        break;
      } catch (err) {
        const retryAfter = (wake: () => void) => this.deps.producer.onReconnect(wake);
        if (!(await this.afterFailure(segment, 'queue-unavailable', 'queue', attempt, err, true, retryAfter))) return;
      }
    }
    const latencyMs = Date.now() - segment.closedAt;
    this.deps.metrics.enqueueLatency.observe(latencyMs / 1000);
    this.deps.metrics.segmentsEnqueued.inc({ protocol: this.session.protocol });
    this.settle();
    await this.persist('mark queued', () => this.deps.ledger.markQueued(this.session.sessionId, segment.seq));
    this.logger.debug(
      {
        event: 'segment-enqueued',
        sessionId: this.session.sessionId,
        seq: segment.seq,
        durationMs: segment.durationMs,
        bytes: segment.bytes,
        latencyMs,
      },
      'segment enqueued',
    );
  }

  /**
   * After a failed attempt: true to try again (after a pause, cut short when `recovered` calls
   * back: the service is reachable again), false when the segment was dropped.
   */
  private async afterFailure(
    segment: ClosedSegment,
    reason: DropReason,
    what: string,
    attempt: number,
    err: unknown,
    inLedger: boolean,
    recovered?: (wake: () => void) => () => void,
  ): Promise<boolean> {
    const message = (err as Error)?.message ?? String(err);
    if (this.deps.backlog.afterFailure() === 'drop') {
      await this.drop(segment, reason, `${what} unreachable and the local buffer is full: ${message}`, inLedger);
      return false;
    }
    if (attempt === 1 || attempt % LOG_EVERY_ATTEMPTS === 0) {
      this.logger.warn(
        {
          event: 'segment-waiting',
          sessionId: this.session.sessionId,
          seq: segment.seq,
          attempt,
          waiting: this.deps.backlog.size,
          err: message,
        },
        `${what} unreachable; segment waits and is retried in order`,
      );
    }
    const pause = new AbortController();
    const wake = () => pause.abort();
    this.aborted.signal.addEventListener('abort', wake, { once: true });
    const unsubscribe = recovered?.(wake);
    await sleep(backoffDelay(attempt, this.deps.retry ?? INFRA_RETRY), pause.signal);
    unsubscribe?.();
    this.aborted.signal.removeEventListener('abort', wake);
    return true;
  }

  private async drop(segment: ClosedSegment, reason: DropReason, detail: string, inLedger: boolean): Promise<void> {
    if (!inLedger) await this.persist('record ingested', () => this.deps.ledger.recordIngested(this.ingestedRow(segment)));
    await this.persist('mark dropped', () => this.deps.ledger.markDropped(this.session.sessionId, segment.seq, reason, detail));
    await unlink(segment.file).catch(() => undefined);
    this.deps.metrics.segmentsDropped.inc({ reason });
    this.settle();
    this.logger.warn(
      { event: 'segment-dropped', sessionId: this.session.sessionId, seq: segment.seq, reason, detail },
      `segment dropped: ${reason}`,
    );
  }

  /** Ledger writes: the database is the record of truth, so they are retried until it answers. */
  private async persist(what: string, write: () => Promise<unknown>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await write();
        return;
      } catch (err) {
        if (attempt === 1 || attempt % LOG_EVERY_ATTEMPTS === 0) {
          this.logger.error({ sessionId: this.session.sessionId, attempt, err: (err as Error).message }, `ledger write failed: ${what}`);
        }
        if (this.aborted.signal.aborted && attempt > 3) return;
        await sleep(backoffDelay(attempt, INFRA_RETRY));
      }
    }
  }

  private settle(): void {
    this.deps.backlog.settle();
    this.updateBufferGauge();
  }

  private updateBufferGauge(): void {
    this.deps.metrics.bufferedSegments.set(this.deps.backlog.size);
  }

  private ledgerRow(segment: ClosedSegment) {
    return {
      sessionId: this.session.sessionId,
      streamId: this.session.streamId,
      seq: segment.seq,
      durationMs: segment.durationMs,
      bytes: segment.bytes,
      resolution: segment.resolution,
      objectKey: objectKeys.sourceSegment(this.session.sessionId, segment.seq),
      ingestedAt: segment.closedAt,
    };
  }

  /** The ledger row: the job's fields and when the segment's first frame arrived. */
  private ingestedRow(segment: ClosedSegment) {
    return { ...this.ledgerRow(segment), startedAt: segment.startedAt };
  }

  private payload(segment: ClosedSegment, livepeerStreamId: string): UploadSegmentPayload {
    return { ...this.ledgerRow(segment), livepeerStreamId };
  }
}

export interface ShipperDeps {
  storage: Pick<StorageService, 'put'>;
  ledger: Pick<LedgerService, 'recordIngested' | 'markQueued' | 'markDropped'>;
  producer: Pick<UploadProducer, 'enqueue' | 'onReconnect'>;
  backlog: SegmentBacklog;
  metrics: IngestMetrics;
  liveDeadlineFactor: number;
  /** The pause between attempts at the object store and the queue (default INFRA_RETRY). */
  retry?: Backoff;
}

/** Builds shippers with the process-wide services and the one shared backlog. */
@Injectable()
export class SegmentShipperFactory {
  private readonly deps: ShipperDeps;

  constructor(
    storage: StorageService,
    ledger: LedgerService,
    producer: UploadProducer,
    metrics: IngestMetrics,
    @InjectConfig(ingestConfig) ingest: ConfigOf<typeof ingestConfig>,
    @InjectConfig(segmentsConfig) segments: ConfigOf<typeof segmentsConfig>,
  ) {
    this.deps = {
      storage,
      ledger,
      producer,
      metrics,
      backlog: new SegmentBacklog(ingest.bufferMaxSegments),
      liveDeadlineFactor: segments.liveDeadlineFactor,
    };
  }

  create(session: SessionRef, logger: Logger): SegmentShipper {
    return new SegmentShipper(session, this.deps, logger);
  }
}
