import { Injectable, Logger } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import os from 'node:os';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { InjectConfig, type ConfigOf, segmentsConfig, workerConfig } from '@lib/config';
import { LedgerService, type DropReason, type SegmentState } from '@lib/database';
import type { UploadSegmentPayload } from '@lib/queue';
import { StorageService } from '@lib/storage';
import { BroadcasterAssignments, type Resolution } from '../broadcasters/assignment.service';
import { BroadcasterStats } from '../broadcasters/broadcaster-stats.service';
import { BroadcasterUploader } from './broadcaster-uploader';
import { InvalidPayloadError, parsePayload } from './payload';
import { PhaseClock, type Phase } from './phase-clock';
import {
  PushFailure,
  TimeBudget,
  attemptTimeout,
  deadlineAt,
  describeFailure,
  dropReasonAtDeadline,
  failureAction,
} from './retry-policy';
import { WorkerMetrics } from './worker-metrics';

/** Identifies this process in job results and BullMQ's `processedBy`. */
export const WORKER_ID = `${os.hostname()}:${process.pid}`;

/** A segment in one of these states has its outcome: a job for it has nothing left to do. */
const SETTLED: ReadonlySet<SegmentState> = new Set(['uploaded', 'republished', 'dropped']);

/** The job's return value (kept by BullMQ with the completed job; the benchmark reads it). */
export interface UploadResult {
  outcome: 'uploaded' | 'skipped';
  worker: string;
  attempts: number;
  broadcaster?: string;
  /** Broadcasters tried by this run, in order. */
  tried?: string[];
  /** Job enqueued -> first PUT started (ms). */
  waitMs?: number;
  /** Epoch ms the successful PUT started. */
  putStartedAt?: number;
  uploadMs?: number;
  roundTripMs?: number;
  /** Ledger state found when the job was skipped. */
  state?: SegmentState;
  /** Where this run's time went (ms per phase, summed over attempts): the relay's overhead, itemised. */
  phases?: Record<Phase, number>;
}

/** What an attempt needs, looked up ahead of it. */
interface Prepared {
  choice: Promise<Resolution | null>;
  source: Promise<OpenedSource>;
}

type OpenedSource = { ok: true; body: Readable } | { ok: false; failure: Extract<PushFailure, { kind: 'source' }> };

/** Closes an object-store stream that will not be pushed. */
function release(prepared: Prepared): void {
  void prepared.source.then((s) => s.ok && s.body.destroy());
}

/** Thrown after the ledger recorded the drop: BullMQ must not retry it. */
class SegmentDropped extends UnrecoverableError {}

/**
 * One upload job: stream the segment from the object store to the session's broadcaster;
 * on a broadcaster failure move the session and retry at once elsewhere; stop at the live
 * deadline. Every ending is written to the ledger (uploaded, or dropped with a reason).
 */
@Injectable()
export class UploadJobRunner {
  private readonly logger = new Logger('UploadJob');
  private readonly budget: TimeBudget;

  constructor(
    @InjectConfig(segmentsConfig) segments: ConfigOf<typeof segmentsConfig>,
    @InjectConfig(workerConfig) private readonly config: ConfigOf<typeof workerConfig>,
    private readonly ledger: LedgerService,
    private readonly storage: StorageService,
    private readonly assignments: BroadcasterAssignments,
    private readonly uploader: BroadcasterUploader,
    private readonly stats: BroadcasterStats,
    private readonly metrics: WorkerMetrics,
  ) {
    this.budget = { uploadTimeoutFactor: segments.uploadTimeoutFactor, liveDeadlineFactor: segments.liveDeadlineFactor };
  }

  async run(job: Job<UploadSegmentPayload>): Promise<UploadResult> {
    let segment: UploadSegmentPayload;
    try {
      segment = parsePayload(job.data);
    } catch (err) {
      if (err instanceof InvalidPayloadError) {
        this.logger.error({ jobId: job.id, err: err.message }, 'upload job rejected');
        throw new UnrecoverableError(err.message);
      }
      throw err;
    }
    const { sessionId, seq } = segment;
    const clock = new PhaseClock();
    const firstRun = !(job.attemptsStarted > 1 || job.attemptsMade > 0 || job.stalledCounter > 0);

    // A job run before (taken over after its worker died, or retried after an error) may
    // find its segment already delivered: pushing it again would only cost a broadcaster a
    // transcode. A first run needs no look-up: job ids are unique per segment, so no other
    // job can have settled it (this saves a query on every normal job).
    if (!firstRun) {
      const row = await this.ledger.get(sessionId, seq);
      clock.lap('ledger');
      if (row && SETTLED.has(row.state)) {
        this.metrics.skipped.inc();
        this.logger.log({ sessionId, seq, state: row.state, jobId: job.id }, 'segment already settled; job skipped');
        return { outcome: 'skipped', worker: WORKER_ID, attempts: 0, state: row.state };
      }
      this.logger.log({ sessionId, seq, jobId: job.id, started: job.attemptsStarted }, 'resuming an upload another run started');
    }
    // Behind a backlog, a segment may be stale before it is looked at: drop it without
    // spending a look-up on it, so the fresh ones behind it catch up sooner.
    const deadline = deadlineAt(segment, this.budget);
    if (Date.now() >= deadline) {
      const detail = `reached a worker ${Date.now() - segment.ingestedAt} ms after ingest, past its ${deadline - segment.ingestedAt} ms deadline`;
      return this.drop(segment, 'deadline-exceeded', detail, [], firstRun);
    }

    this.metrics.active.inc();
    try {
      // The look-ups before a push (broadcaster, object) are independent: they run together,
      // so the relay's overhead is the slower of the two, not their sum.
      return await this.deliver(job, segment, { firstRun, clock, prepared: this.prepare(segment) });
    } finally {
      this.metrics.active.dec();
    }
  }

  /** Starts resolving the broadcaster and opening the object; awaited by the attempt. */
  private prepare(segment: UploadSegmentPayload): Prepared {
    const choice = this.assignments.resolve(segment.sessionId);
    // Awaited by the attempt, or left unawaited when the deadline passes first: never an unhandled rejection.
    choice.catch(() => undefined);
    const source = openWithin(this.storage.getStream(segment.objectKey), SOURCE_OPEN_TIMEOUT_MS).then(
      (body): OpenedSource => ({ ok: true, body }),
      (err: unknown): OpenedSource => ({
        ok: false,
        failure: { kind: 'source', message: (err as Error).message, missing: isMissingObject(err) },
      }),
    );
    return { choice, source };
  }

  private async deliver(
    job: Job<UploadSegmentPayload>,
    segment: UploadSegmentPayload,
    run: { firstRun: boolean; clock: PhaseClock; prepared: Prepared },
  ): Promise<UploadResult> {
    const { sessionId, seq } = segment;
    const { firstRun, clock } = run;
    const deadline = deadlineAt(segment, this.budget);
    const tried: string[] = [];
    let prepared = run.prepared;
    let lastFailure: PushFailure | undefined;
    let lastFailedAddress: string | undefined;
    let waitMs: number | undefined;
    const retryLater = async () => {
      await this.pause(deadline);
      clock.skip();
      prepared = this.prepare(segment);
    };

    for (;;) {
      if (Date.now() >= deadline) {
        release(prepared);
        const reason = dropReasonAtDeadline(lastFailure);
        const detail = `not delivered within ${deadline - segment.ingestedAt} ms of ingest after ${tried.length} attempt(s)${
          lastFailure ? `; last: ${describeFailure(lastFailure)}` : ''
        }`;
        return this.drop(segment, reason, detail, tried, firstRun);
      }

      const [choice, source] = await Promise.all([prepared.choice, prepared.source]).catch((err: unknown) => {
        release(prepared);
        throw err;
      });
      clock.lap('prepare');
      if (choice?.movedFrom) {
        this.metrics.reassignments.inc({ reason: choice.movedFrom === lastFailedAddress ? 'push-failed' : 'unavailable' });
      }
      if (!source.ok) {
        lastFailure = source.failure;
        if (source.failure.missing) return this.drop(segment, 'storage-unavailable', `object ${segment.objectKey} is missing`, tried, firstRun);
        this.logger.warn({ sessionId, seq, err: source.failure.message }, 'cannot read the segment; retrying');
        await retryLater();
        continue;
      }
      if (!choice) {
        source.body.destroy();
        lastFailure = { kind: 'network', code: 'NO_BROADCASTER', message: 'the Livepeer API offers no broadcaster' };
        await retryLater();
        continue;
      }
      // Every broadcaster failed recently: pause between tries instead of hammering them.
      if (choice.degraded && tried.length > 0) {
        await this.pause(deadline);
        clock.skip();
        if (Date.now() >= deadline) {
          source.body.destroy();
          continue;
        }
      }
      const address = choice.address;

      tried.push(address);
      if (tried.length > 1) this.metrics.retries.inc();
      // Written while the push runs; awaited before the outcome is, so the ledger keeps order.
      const attemptRecorded = this.ledger.recordAttempt(sessionId, seq, address);
      attemptRecorded.catch(() => undefined);
      const timeout = attemptTimeout(segment.durationMs, this.budget, deadline - Date.now());
      const outcome = await this.uploader.push({
        broadcaster: address,
        manifestId: segment.livepeerStreamId,
        seq,
        durationMs: segment.durationMs,
        resolution: segment.resolution,
        body: source.body,
        bytes: segment.bytes,
        timeoutMs: timeout.timeoutMs,
      });
      clock.lap('push');
      await attemptRecorded;
      clock.lap('record');
      if (waitMs === undefined) {
        waitMs = Math.max(0, outcome.startedAt - job.timestamp);
        this.metrics.queueWait.observe(waitMs / 1000);
      }

      if (outcome.ok) {
        const [marked] = await Promise.all([
          this.ledger.markUploaded(sessionId, seq, { uploadMs: outcome.uploadMs, roundTripMs: outcome.roundTripMs }),
          this.stats.recordSuccess(address, outcome.roundTripMs),
          choice.degraded ? this.assignments.reportRecovery(sessionId, address) : undefined,
        ]);
        clock.lap('record');
        this.metrics.attempts.inc({ broadcaster: address, outcome: 'ok' });
        // Counted once per segment: a rerun counts only if it is the one that settled it.
        if (marked || firstRun) this.observeDelivery(segment, address, outcome);
        if (!marked) this.logger.debug({ sessionId, seq }, 'ledger row missing or already settled');
        this.logger.debug({ sessionId, seq, broadcaster: address, attempts: tried.length, roundTripMs: outcome.roundTripMs }, 'segment uploaded');
        return {
          outcome: 'uploaded',
          worker: WORKER_ID,
          attempts: tried.length,
          broadcaster: address,
          tried,
          waitMs,
          putStartedAt: outcome.startedAt,
          uploadMs: outcome.uploadMs,
          roundTripMs: outcome.roundTripMs,
          phases: clock.rounded(),
        };
      }

      lastFailure = outcome.failure;
      const action = failureAction(outcome.failure, timeout);
      const detail = describeFailure(outcome.failure);
      this.metrics.attempts.inc({ broadcaster: address, outcome: outcome.failure.kind });
      switch (action) {
        case 'switch':
          lastFailedAddress = address;
          this.logger.warn({ sessionId, seq, broadcaster: address, err: detail, elapsedMs: outcome.elapsedMs }, 'push failed; moving the session');
          await Promise.all([this.stats.recordFailure(address, detail), this.assignments.reportFailure(sessionId, address)]);
          // At once, on the broadcaster the next look-up picks (the failed one is now avoided).
          prepared = this.prepare(segment);
          continue;
        case 'reject':
          await this.stats.recordFailure(address, detail);
          return this.drop(segment, 'broadcaster-rejected', `${address}: ${detail}`, tried, firstRun);
        case 'lost':
          return this.drop(segment, 'storage-unavailable', detail, tried, firstRun);
        case 'wait':
          this.logger.warn({ sessionId, seq, broadcaster: address, err: detail }, 'push interrupted on our side; retrying');
          await retryLater();
          continue;
      }
    }
  }

  /**
   * BullMQ gave up on the job (errors on every attempt, or workers dying on it): record the
   * segment as dropped so it is not lost silently. Best effort: the failure may be the database.
   */
  async recordGiveUp(job: Job<UploadSegmentPayload>, err: Error): Promise<void> {
    const { sessionId, seq } = job.data ?? {};
    if (typeof sessionId !== 'string' || typeof seq !== 'number') return;
    const detail = `gave up after ${job.attemptsMade} run(s): ${err.message}`;
    try {
      if (await this.ledger.markDropped(sessionId, seq, 'deadline-exceeded', detail)) {
        this.metrics.dropped.inc({ reason: 'deadline-exceeded' });
      }
      this.logger.error({ sessionId, seq, jobId: job.id, err: err.message }, 'upload job given up; segment dropped');
    } catch (ledgerErr) {
      this.logger.error(
        { sessionId, seq, jobId: job.id, err: err.message, ledgerErr: (ledgerErr as Error).message },
        'upload job given up and the ledger cannot record it',
      );
    }
  }

  private observeDelivery(segment: UploadSegmentPayload, address: string, timing: { uploadMs: number; roundTripMs: number }) {
    this.metrics.uploaded.inc();
    this.metrics.uploadTime.observe({ broadcaster: address }, timing.uploadMs / 1000);
    this.metrics.roundTrip.observe({ broadcaster: address }, timing.roundTripMs / 1000);
    this.metrics.realtimeRatio.observe({ broadcaster: address }, segment.durationMs / Math.max(1, timing.roundTripMs));
    this.metrics.deliveryLatency.observe(Math.max(0, Date.now() - segment.ingestedAt) / 1000);
  }

  /** Records the drop, then ends the job as failed without a BullMQ retry. */
  private async drop(
    segment: UploadSegmentPayload,
    reason: DropReason,
    detail: string,
    tried: string[],
    firstRun: boolean,
  ): Promise<never> {
    const { sessionId, seq } = segment;
    const marked = await this.ledger.markDropped(sessionId, seq, reason, detail);
    if (marked || firstRun) this.metrics.dropped.inc({ reason });
    this.logger.warn({ sessionId, seq, reason, detail, tried }, 'segment dropped');
    throw new SegmentDropped(`${reason}: ${detail}`);
  }

  /** Waits the retry interval, never past the deadline. */
  private async pause(deadline: number): Promise<void> {
    const ms = Math.min(this.config.retryIntervalMs, deadline - Date.now());
    if (ms > 0) await sleep(ms);
  }
}

/**
 * Longest wait for the object store to start answering a GetObject. The client has no
 * request timeout of its own, and a store that is restarting can leave a request
 * unanswered: without a bound, that one request would use up the segment's deadline.
 */
const SOURCE_OPEN_TIMEOUT_MS = 2000;

/** The stream, or a rejection after `ms`; a stream that opens too late is destroyed. */
function openWithin(opening: Promise<Readable>, ms: number): Promise<Readable> {
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  opening.then(
    (body) => timedOut && body.destroy(),
    () => undefined,
  );
  return Promise.race([
    opening,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(new Error(`the object store did not answer within ${ms} ms`));
      }, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** minio reports a missing object as NoSuchKey (GetObject) or NotFound (HeadObject). */
function isMissingObject(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === 'NoSuchKey' || code === 'NotFound';
}

export function isDropError(err: unknown): boolean {
  return err instanceof SegmentDropped;
}
