import { Injectable, Logger } from '@nestjs/common';
import { InjectConfig, type ConfigOf, segmentsConfig } from '@lib/config';
import { LOCAL_FALLBACK_BROADCASTER, LedgerService } from '@lib/database';
import type { UploadSegmentPayload } from '@lib/queue';
import { SegmentAnnouncer } from '../renditions/segment-announcer';
import { UploadClock } from '../upload/upload-clock';
import { deadlineAt, type TimeBudget } from '../upload/upload-time-budget';
import { FallbackMetrics } from './fallback-metrics';
import type { FallbackTrigger } from './fallback-policy';
import { LocalTranscoder } from './local-transcoder';

/** A session's fallback is logged at most this often per worker (every segment of an outage falls back). */
const LOG_INTERVAL_MS = 10_000;

export type FallbackOutcome =
  { ok: true; roundTripMs: number; startedAt: number; renditions: Record<string, string> } | { ok: false; reason: string };

/**
 * Delivers a segment no broadcaster could take by transcoding it locally, and records it as a
 * push answer's renditions are recorded: the renditions in the bucket, the ledger row `uploaded`
 * with their keys and `LOCAL_FALLBACK_BROADCASTER` among its broadcasters (each fallback period
 * of a session is a run of such rows: admin API `fallback`), then the segment-transcoded
 * announcement. The next segment tries the broadcasters again first, so the session switches
 * back as soon as one takes it, with the same media sequence (the stitcher lists either alike).
 */
@Injectable()
export class FallbackDelivery {
  private readonly logger = new Logger(FallbackDelivery.name);
  private readonly liveBudget: TimeBudget;
  private readonly lastLogAt = new Map<string, number>();

  constructor(
    @InjectConfig(segmentsConfig) segments: ConfigOf<typeof segmentsConfig>,
    private readonly transcoder: LocalTranscoder,
    private readonly ledger: LedgerService,
    private readonly announcer: SegmentAnnouncer,
    private readonly metrics: FallbackMetrics,
    private readonly clock: UploadClock,
  ) {
    this.liveBudget = { uploadTimeoutFactor: segments.uploadTimeoutFactor, liveDeadlineFactor: segments.liveDeadlineFactor };
  }

  get enabled(): boolean {
    return this.transcoder.enabled;
  }

  /** The budget the broadcasters get (the decision machine's). */
  budgetFor(budget: TimeBudget): TimeBudget {
    return this.transcoder.budgetFor(budget);
  }

  async deliver(segment: UploadSegmentPayload, trigger: FallbackTrigger, why: string): Promise<FallbackOutcome> {
    const { sessionId, seq } = segment;
    const startedAt = this.clock.now();
    const done = await this.transcoder.transcode(segment, deadlineAt(segment, this.liveBudget));
    this.metrics.transcodes.inc({ trigger, outcome: done.ok ? 'uploaded' : 'failed' });
    if (!done.ok) {
      this.logger.warn({ sessionId, seq, trigger, why, err: done.reason }, 'local fallback transcode failed');
      return done;
    }
    this.metrics.transcodeSeconds.observe(done.ms / 1000);
    await this.ledger.recordAttempt(sessionId, seq, LOCAL_FALLBACK_BROADCASTER);
    const marked = await this.ledger.markUploaded(sessionId, seq, { uploadMs: 0, roundTripMs: done.ms, renditions: done.renditions });
    if (marked)
      await this.announcer.announce({ sessionId, streamId: segment.streamId, seq, uploadedAt: Date.now(), renditions: done.renditions });
    this.logPeriod(sessionId, seq, trigger, why, done.ms);
    return { ok: true, roundTripMs: done.ms, startedAt, renditions: done.renditions };
  }

  private logPeriod(sessionId: string, seq: number, trigger: FallbackTrigger, why: string, ms: number): void {
    const now = this.clock.now();
    if (now - (this.lastLogAt.get(sessionId) ?? 0) < LOG_INTERVAL_MS) return;
    this.lastLogAt.set(sessionId, now);
    if (this.lastLogAt.size > 10_000) this.lastLogAt.delete(this.lastLogAt.keys().next().value!);
    this.logger.warn(
      { sessionId, seq, trigger, why, transcodeMs: ms },
      'no broadcaster can take the segments: transcoding the ladder locally',
    );
  }
}
