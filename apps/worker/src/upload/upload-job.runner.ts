import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import os from 'node:os';
import type { Readable } from 'node:stream';
import { InjectConfig, type ConfigOf, segmentsConfig, workerConfig } from '@lib/config';
import { LOCAL_FALLBACK_BROADCASTER, LedgerService, type DropReason, type SegmentState } from '@lib/database';
import { sessionLimitAnswer } from '@lib/livepeer';
import { type UploadJobResult, type UploadSegmentPayload, parseUploadSegmentPayload } from '@lib/queue';
import { StorageService } from '@lib/storage';
import { sleep, withTimeout } from '@lib/timing';
import { BroadcasterAssignments, type Resolution } from '../broadcasters/assignment.service';
import { BroadcasterStats } from '../broadcasters/broadcaster-stats.service';
import { FallbackDelivery } from '../fallback/fallback-delivery';
import { fallbackTrigger } from '../fallback/fallback-policy';
import { RenditionStore } from '../renditions/rendition-store';
import { SegmentAnnouncer } from '../renditions/segment-announcer';
import { BroadcasterUploader, type PushOutcome } from './broadcaster-uploader';
import {
  type DeliveryEvent,
  type DeliveryState,
  type DeliveryStep,
  type SourceFailure,
  deadlineOf,
  decide,
  describeFailure,
  initialState,
} from './delivery-decision';
import { HedgeBudget, RoundTripTracker, hedgeDelay } from './hedge-policy';
import { PhaseClock } from './phase-clock';
import { type InFlightPush, firstSuccess, settledWithin } from './push-race';
import { UploadClock } from './upload-clock';
import { type TimeBudget, attemptTimeout } from './upload-time-budget';
import { WorkerMetrics } from './worker-metrics';

/** Identifies this process in job results and BullMQ's `processedBy`. */
export const WORKER_ID = `${os.hostname()}:${process.pid}`;

/** A segment in one of these states has its outcome: a job for it has nothing left to do. */
const SETTLED: ReadonlySet<SegmentState> = new Set(['uploaded', 'republished', 'dropped']);
/** A repush is for an `uploaded` segment whose renditions never arrived: only these end it. */
const SETTLED_FOR_REPUSH: ReadonlySet<SegmentState> = new Set(['republished', 'dropped']);

/**
 * Longest wait for the object store to start answering a GetObject. The client has no
 * request timeout of its own, and a store that is restarting can leave a request
 * unanswered: without a bound, that one request would use up the segment's deadline.
 */
const SOURCE_OPEN_TIMEOUT_MS = 2000;

/** What an attempt needs, looked up ahead of it. */
interface Prepared {
  choice: Promise<Resolution | null>;
  source: Promise<OpenedSource>;
}

type OpenedSource = { ok: true; body: Readable } | { ok: false; failure: SourceFailure };

/** One run of one job: what the runner holds while the machine decides. */
interface Run {
  job: Job<UploadSegmentPayload>;
  segment: UploadSegmentPayload;
  firstRun: boolean;
  /** The stitcher's repush of an uploaded segment: never drops it in the ledger. */
  repush: boolean;
  clock: PhaseClock;
  state: DeliveryState;
  /** The broadcaster of the attempt, and its opened object until the push takes it. */
  current?: { choice: Resolution; body?: Readable };
  /** Set by the first push: job enqueued -> first PUT started. */
  waitMs?: number;
  /** The last push's outcome (its timings go into the result). */
  pushed?: PushOutcome;
  /** The push that has not answered yet (its hedge delay passed). */
  inflight?: InFlightPush<Resolution, PushOutcome>;
}

/**
 * One upload job: stream the segment from the object store to the session's broadcaster;
 * on a broadcaster failure move the session and retry at once elsewhere; stop at the live
 * deadline. What to do next is decided by delivery-decision.ts; this class performs it.
 * Every ending is written to the ledger (uploaded, or dropped with a reason) and is the job's
 * result: a drop completes the job, it is not a failure.
 */
@Injectable()
export class UploadJobRunner {
  private readonly logger = new Logger('UploadJob');
  private readonly budget: TimeBudget;
  /** Each broadcaster's usual round trip, for the hedge delay. */
  private readonly roundTrips = new RoundTripTracker();
  private readonly hedgeBudget: HedgeBudget;

  constructor(
    @InjectConfig(segmentsConfig) segments: ConfigOf<typeof segmentsConfig>,
    @InjectConfig(workerConfig) private readonly config: ConfigOf<typeof workerConfig>,
    private readonly ledger: LedgerService,
    private readonly storage: StorageService,
    private readonly assignments: BroadcasterAssignments,
    private readonly uploader: BroadcasterUploader,
    private readonly stats: BroadcasterStats,
    private readonly metrics: WorkerMetrics,
    private readonly clock: UploadClock,
    private readonly renditions: RenditionStore,
    private readonly announcer: SegmentAnnouncer,
    private readonly fallback: FallbackDelivery,
  ) {
    this.hedgeBudget = new HedgeBudget(config.hedge.budgetPercent);
    // With FALLBACK_TRANSCODE=local the broadcasters get the deadline less the local transcode's reserve.
    this.budget = fallback.budgetFor({
      uploadTimeoutFactor: segments.uploadTimeoutFactor,
      liveDeadlineFactor: segments.liveDeadlineFactor,
    });
  }

  /** Runs the job to its outcome. Throws only when the job cannot be run (an invalid payload, a store error). */
  async run(job: Job<UploadSegmentPayload>): Promise<UploadJobResult> {
    const segment = parseUploadSegmentPayload(job.data);
    const { sessionId, seq } = segment;
    const clock = new PhaseClock();
    const firstRun = !(job.attemptsStarted > 1 || job.attemptsMade > 0 || job.stalledCounter > 0);
    const repush = segment.repush === true;
    let hadIt: string | undefined;

    // A job run before (taken over after its worker died, or retried after an error) may
    // find its segment already delivered: pushing it again would only cost a broadcaster a
    // transcode. A first run needs no look-up: job ids are unique per segment, so no other
    // job can have settled it (this saves a query on every normal job). A repush always looks:
    // it goes around the broadcaster that had the segment (the last one its row names).
    if (!firstRun || repush) {
      const row = await this.ledger.get(sessionId, seq);
      clock.lap('ledger');
      if (row && (repush ? SETTLED_FOR_REPUSH : SETTLED).has(row.state)) {
        this.metrics.skipped.inc();
        this.logger.log({ sessionId, seq, state: row.state, jobId: job.id }, 'segment already settled; job skipped');
        return { outcome: 'skipped', worker: WORKER_ID, tried: [], state: row.state };
      }
      if (row?.state === 'uploaded') hadIt = row.broadcasters[row.broadcasters.length - 1];
      if (repush) this.logger.log({ sessionId, seq, jobId: job.id, hadIt }, 'repushing a segment whose renditions did not arrive');
      else this.logger.log({ sessionId, seq, jobId: job.id, started: job.attemptsStarted }, 'resuming an upload another run started');
    }

    const run: Run = { job, segment, firstRun, repush, clock, state: initialState(segment, this.budget, { detourFrom: hadIt }) };
    let decision = decide(run.state, { type: 'started', now: this.clock.now() });
    if (decision.step.do === 'drop' && !this.fallsBack(run, decision.step)) return this.drop(run, decision.step);
    this.metrics.active.inc();
    try {
      for (;;) {
        run.state = decision.state;
        const step = decision.step;
        // The opened object is kept only for a push, now or after the pause in progress.
        if (step.do !== 'push' && run.state.resume?.do !== 'push') this.release(run);
        if (this.fallsBack(run, step)) return await this.fallBack(run, step);
        if (step.do === 'uploaded') return await this.uploaded(run);
        if (step.do === 'drop') return await this.drop(run, step);
        decision = decide(run.state, await this.perform(run, step));
      }
    } finally {
      this.release(run);
      this.metrics.active.dec();
    }
  }

  /** Performs one step that has a sequel, and reports what came of it. */
  private async perform(run: Run, step: Exclude<DeliveryStep, { do: 'uploaded' | 'drop' }>): Promise<DeliveryEvent> {
    const { sessionId, seq } = run.segment;
    switch (step.do) {
      case 'prepare':
        return this.prepare(run);
      case 'push':
        return this.push(run, step);
      case 'await':
        return this.settle(run, run.inflight!, await run.inflight!.outcome);
      case 'hedge':
        return this.hedge(run, step.from);
      case 'pause':
        if (step.cause === 'source-failed') {
          this.logger.warn({ sessionId, seq, err: this.lastDetail(run) }, 'cannot read the segment; retrying');
        } else if (step.cause === 'interrupted') {
          this.logger.warn(
            { sessionId, seq, broadcaster: run.state.attempt?.address, err: this.lastDetail(run) },
            'push interrupted on our side; retrying',
          );
        }
        await this.pause(deadlineOf(run.state));
        run.clock.skip();
        return { type: 'resumed', now: this.clock.now() };
      case 'switch':
        this.logger.warn(
          {
            sessionId,
            seq,
            broadcaster: step.address,
            err: step.detail,
            elapsedMs: run.pushed && !run.pushed.ok ? run.pushed.elapsedMs : undefined,
          },
          'push failed; moving the session',
        );
        await Promise.all([
          this.stats.recordFailure(step.address, step.detail),
          this.assignments.reportFailure(sessionId, step.address, this.clock.now(), sessionLimitAnswer(step.detail) !== null),
        ]);
        return { type: 'resumed', now: this.clock.now() };
    }
  }

  /**
   * Resolves the broadcaster and opens the object. The two look-ups are independent: they
   * run together, so the relay's overhead is the slower of the two, not their sum.
   */
  private async prepare(run: Run): Promise<DeliveryEvent> {
    const prepared = this.startPreparing(run.segment, run.state.detourFrom);
    const [choice, source] = await Promise.all([prepared.choice, prepared.source]).catch((err: unknown) => {
      void prepared.source.then((s) => s.ok && s.body.destroy());
      throw err;
    });
    run.clock.lap('prepare');
    if (choice?.movedFrom) {
      this.metrics.reassignments.inc({ reason: choice.movedFrom === run.state.lastFailedAddress ? 'push-failed' : 'unavailable' });
    }
    if (source.ok && choice) run.current = { choice, body: source.body };
    else if (source.ok) source.body.destroy();
    return {
      type: 'prepared',
      now: this.clock.now(),
      choice: choice && { address: choice.address, degraded: choice.degraded },
      source: source.ok ? { ok: true } : { ok: false, failure: source.failure },
    };
  }

  private startPreparing(segment: UploadSegmentPayload, detourFrom: string | undefined): Prepared {
    const choice = this.assignments.resolve(segment.sessionId, detourFrom);
    // Awaited with the source; never an unhandled rejection when the source fails first.
    choice.catch(() => undefined);
    const opening = this.storage.getStream(segment.objectKey);
    const source = withTimeout(opening, SOURCE_OPEN_TIMEOUT_MS, 'object store open', { onLate: (body) => body.destroy() }).then(
      (body): OpenedSource => ({ ok: true, body }),
      (err: unknown): OpenedSource => ({
        ok: false,
        failure: { kind: 'source', message: (err as Error).message, missing: isMissingObject(err) },
      }),
    );
    return { choice, source };
  }

  /** Starts a push (the ledger records the attempt meanwhile, before the outcome is reported). */
  private startPush(run: Run, choice: Resolution, body: Readable, timeoutMs: number): InFlightPush<Resolution, PushOutcome> {
    const { segment } = run;
    if (run.state.tried.length > 1) this.metrics.retries.inc();
    const recorded = this.ledger.recordAttempt(segment.sessionId, segment.seq, choice.address);
    recorded.catch(() => undefined);
    const abort = new AbortController();
    // The uploader owns the stream from here (it destroys it when the push ends).
    const pushed = this.uploader.push({
      broadcaster: choice.address,
      manifestId: segment.livepeerStreamId,
      seq: segment.seq,
      durationMs: segment.durationMs,
      resolution: segment.resolution,
      body,
      bytes: segment.bytes,
      timeoutMs,
      signal: abort.signal,
    });
    const outcome = pushed.then(async (o) => {
      await recorded.catch(() => undefined);
      return o;
    });
    return { by: choice, outcome, abort: () => abort.abort(), startedAt: this.clock.now() };
  }

  /** Pushes, and reports `slow` when no answer came within the hedge delay (the push goes on). */
  private async push(run: Run, step: { address: string; timeoutMs: number }): Promise<DeliveryEvent> {
    const body = run.current!.body!;
    run.current!.body = undefined;
    const push = this.startPush(run, run.current!.choice, body, step.timeoutMs);
    this.hedgeBudget.pushStarted();
    const firstOfSession = run.current!.choice.movedFrom !== undefined;
    const delay = hedgeDelay(this.config.hedge, run.segment.durationMs, this.roundTrips.usualOf(step.address), firstOfSession);
    const outcome = await settledWithin(push.outcome, delay);
    if (outcome) return this.settle(run, push, outcome);
    run.inflight = push;
    return { type: 'slow', now: this.clock.now() };
  }

  /**
   * The late push goes on; the session moves off its broadcaster (so the segments behind this
   * one go elsewhere at once) and the segment is pushed to the new one too; the first success
   * wins and the other push is cancelled.
   */
  private async hedge(run: Run, from: string): Promise<DeliveryEvent> {
    const first = run.inflight!;
    const { sessionId, seq } = run.segment;
    if (!this.hedgeBudget.take()) {
      // Over the budget: this push is waited for where it is, and the session stays.
      this.metrics.hedges.inc({ outcome: 'over-budget' });
      return this.settle(run, first, await first.outcome);
    }
    // Late is not failed: the session moves, but the broadcaster is not cooled down for every
    // session (a burst that made it late for one would move them all, and back again).
    await this.assignments.reportFailure(sessionId, from, undefined, true);
    const prepared = this.startPreparing(run.segment, from);
    const [choice, source] = await Promise.all([prepared.choice.catch(() => null), prepared.source]);
    if (!choice || choice.address === from || !source.ok) {
      if (source.ok) source.body.destroy();
      this.metrics.hedges.inc({ outcome: 'nowhere' });
      return this.settle(run, first, await first.outcome);
    }
    const lateMs = this.clock.now() - first.startedAt;
    this.logger.warn(
      { sessionId, seq, broadcaster: from, hedgedTo: choice.address, lateMs },
      'push not answered in time; sent to another broadcaster as well',
    );
    const { timeoutMs } = attemptTimeout(run.segment.durationMs, this.budget, deadlineOf(run.state) - this.clock.now());
    const second = this.startPush(run, choice, source.body, timeoutMs);
    const { winner, outcome, loser } = await firstSuccess([first, second], (o) => o.ok);
    loser.abort();
    this.metrics.hedges.inc({ outcome: !outcome.ok ? 'both-failed' : winner === second ? 'won' : 'lost' });
    if (winner === second) {
      // The late one is recorded as failing (it had several round trips' time).
      void this.stats.recordFailure(from, `no answer within ${lateMs} ms (hedged)`);
    }
    return this.settle(run, winner, outcome, choice.address);
  }

  /** Bookkeeping of a push that ended, and the machine's event for it. */
  private settle(run: Run, push: InFlightPush<Resolution, PushOutcome>, outcome: PushOutcome, hedgedTo?: string): DeliveryEvent {
    run.clock.lap('push');
    run.inflight = undefined;
    run.pushed = outcome;
    run.current = { choice: push.by };
    const address = push.by.address;
    if (run.waitMs === undefined) {
      run.waitMs = Math.max(0, outcome.startedAt - run.job.timestamp);
      this.metrics.queueWait.observe(run.waitMs / 1000);
    }
    this.metrics.attempts.inc({ broadcaster: address, outcome: outcome.ok ? 'ok' : outcome.failure.kind });
    if (outcome.ok) this.roundTrips.observe(address, outcome.roundTripMs);
    const by = { address, hedgedTo };
    return outcome.ok
      ? { type: 'pushed', now: this.clock.now(), ok: true, ...by }
      : { type: 'pushed', now: this.clock.now(), ok: false, failure: outcome.failure, ...by };
  }

  private async uploaded(run: Run): Promise<UploadJobResult> {
    const { segment, clock, state, firstRun, repush } = run;
    const { sessionId, seq } = segment;
    const outcome = run.pushed as Extract<PushOutcome, { ok: true }>;
    const choice = run.current!.choice;
    const address = choice.address;
    const [renditions] = await Promise.all([
      this.storeRenditions(run, outcome),
      this.stats.recordSuccess(address, outcome.roundTripMs),
      choice.degraded ? this.assignments.reportRecovery(sessionId, address) : undefined,
    ]);
    const marked = await this.ledger.markUploaded(sessionId, seq, {
      uploadMs: outcome.uploadMs,
      roundTripMs: outcome.roundTripMs,
      renditions,
    });
    // An uploaded row keeps its state (a repush, a run that lost a race): only the column moves.
    const recorded = !marked && renditions !== null && (await this.ledger.recordRenditions(sessionId, seq, renditions));
    clock.lap('record');
    if (marked || recorded || repush) {
      await this.announcer.announce({ sessionId, streamId: segment.streamId, seq, uploadedAt: Date.now(), renditions });
    }
    // Counted once per segment: a rerun counts only if it is the one that settled it.
    if (marked || (firstRun && !repush)) this.observeDelivery(segment, address, outcome);
    if (repush) this.metrics.repushes.inc({ outcome: 'uploaded' });
    if (!marked && !repush) this.logger.debug({ sessionId, seq }, 'ledger row missing or already settled');
    this.logger.debug(
      { sessionId, seq, broadcaster: address, attempts: state.tried.length, roundTripMs: outcome.roundTripMs },
      'segment uploaded',
    );
    return {
      outcome: 'uploaded',
      worker: WORKER_ID,
      broadcaster: address,
      tried: state.tried,
      waitMs: run.waitMs ?? 0,
      putStartedAt: outcome.startedAt,
      uploadMs: outcome.uploadMs,
      roundTripMs: outcome.roundTripMs,
      phases: clock.rounded(),
    };
  }

  /** No broadcaster can take the segment in time and the worker may transcode it itself (fallback-policy.ts). */
  private fallsBack(run: Run, step: DeliveryStep): boolean {
    return this.fallback.enabled && !run.repush && run.segment.livepeerStreamId !== undefined && fallbackTrigger(step) !== undefined;
  }

  /** Transcodes locally (FallbackDelivery records it like a push answer); a failure ends as the step would have. */
  private async fallBack(run: Run, step: DeliveryStep): Promise<UploadJobResult> {
    this.release(run);
    const why = step.do === 'drop' ? step.detail : this.lastDetail(run) || 'no broadcaster offered';
    const done = await this.fallback.deliver(run.segment, fallbackTrigger(step)!, why);
    if (!done.ok) {
      const drop = step.do === 'drop' ? step : { reason: 'deadline-exceeded' as const, detail: why };
      return this.drop(run, { ...drop, detail: `${drop.detail}; local fallback: ${done.reason}` });
    }
    this.metrics.deliveryLatency.observe(Math.max(0, Date.now() - run.segment.ingestedAt) / 1000);
    return {
      outcome: 'uploaded',
      worker: WORKER_ID,
      broadcaster: LOCAL_FALLBACK_BROADCASTER,
      tried: [...run.state.tried, LOCAL_FALLBACK_BROADCASTER],
      waitMs: run.waitMs ?? Math.max(0, done.startedAt - run.job.timestamp),
      putStartedAt: done.startedAt,
      uploadMs: 0,
      roundTripMs: done.roundTripMs,
      phases: run.clock.rounded(),
    };
  }

  /** The answer's parts in the bucket (rendition -> key), or null: no parts, or none could be stored. */
  private async storeRenditions(run: Run, outcome: Extract<PushOutcome, { ok: true }>): Promise<Record<string, string> | null> {
    if (!outcome.renditions?.length) return null;
    const { sessionId, seq } = run.segment;
    const stored = await this.renditions.store(run.segment, outcome.renditions, deadlineOf(run.state));
    if (stored.failed.length) {
      this.logger.warn(
        { sessionId, seq, stored: Object.keys(stored.renditions ?? {}), failed: stored.failed },
        'some renditions of the push answer were not stored; the stitcher takes them from the playlists',
      );
    }
    return stored.renditions;
  }

  /** Records the drop (and the broadcaster it blames), and ends the job with it as its result. */
  private async drop(run: Run, step: { reason: DropReason; detail: string; blame?: string }): Promise<UploadJobResult> {
    const { sessionId, seq } = run.segment;
    const { reason, detail, blame } = step;
    if (blame) await this.stats.recordFailure(blame, this.lastDetail(run));
    if (run.repush) {
      // The segment was delivered once: whether it is skipped is the stitcher's call.
      this.metrics.repushes.inc({ outcome: 'not-repushed' });
      this.logger.warn({ sessionId, seq, reason, detail, tried: run.state.tried }, 'segment not repushed');
      return { outcome: 'not-repushed', worker: WORKER_ID, reason, detail, tried: run.state.tried, phases: run.clock.rounded() };
    }
    const marked = await this.ledger.markDropped(sessionId, seq, reason, detail);
    if (marked || run.firstRun) this.metrics.dropped.inc({ reason });
    this.logger.warn({ sessionId, seq, reason, detail, tried: run.state.tried }, 'segment dropped');
    return { outcome: 'dropped', worker: WORKER_ID, reason, detail, tried: run.state.tried, phases: run.clock.rounded() };
  }

  /** Closes an object-store stream that will not be pushed. */
  private release(run: Run): void {
    run.current?.body?.destroy();
  }

  /** The last failure in one line, for logs and broadcaster stats. */
  private lastDetail(run: Run): string {
    return run.state.lastFailure ? describeFailure(run.state.lastFailure) : '';
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

  /** Waits the retry interval, never past the deadline. */
  private async pause(deadline: number): Promise<void> {
    const ms = Math.min(this.config.retryIntervalMs, deadline - this.clock.now());
    if (ms > 0) await sleep(ms);
  }
}

/** minio reports a missing object as NoSuchKey (GetObject) or NotFound (HeadObject). */
function isMissingObject(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === 'NoSuchKey' || code === 'NotFound';
}
