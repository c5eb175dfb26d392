import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { InjectConfig, type ConfigOf, workerConfig } from '@lib/config';
import {
  InvalidUploadPayloadError,
  SEGMENT_UPLOAD_QUEUE,
  UPLOAD_SEGMENT_JOB,
  UPLOAD_WORKER_OPTIONS,
  type UploadJobResult,
  type UploadSegmentPayload,
} from '@lib/queue';
import { UploadJobRunner, WORKER_ID } from './upload-job.runner';

type UploadJob = Job<UploadSegmentPayload, UploadJobResult>;

/** A job this worker refuses to run (unknown name, invalid payload): failed for good, logged when thrown. */
class JobRejected extends UnrecoverableError {}

/**
 * True when BullMQ will not run the job again, read from the job's fields as BullMQ leaves
 * them when it emits `failed`: its attempts are used up, or it stalled (its worker died) more
 * often than maxStalledCount, which BullMQ records as the job's `deferredFailure` before it
 * fails the job (unrecoverably) on its next pick-up.
 */
export function bullmqGaveUp(job: { attemptsMade: number; opts: { attempts?: number }; deferredFailure?: string }, err: Error): boolean {
  return err instanceof UnrecoverableError || Boolean(job.deferredFailure) || job.attemptsMade >= (job.opts.attempts ?? 1);
}

/**
 * The BullMQ consumer of `segment-upload`. @nestjs/bullmq builds the Worker from the root
 * connection and prefix (QueueModule) and these options; it is created paused (`autorun:
 * false`) so that it starts once the app is up, with the configured concurrency. On SIGTERM
 * it stops taking jobs and waits for the running ones before the Redis and database
 * connections close (beforeApplicationShutdown runs first). Jobs not started stay in the
 * queue for the other workers. The lock and stall intervals of UPLOAD_WORKER_OPTIONS hand a
 * killed worker's jobs to another one within the deadline.
 */
@Processor(SEGMENT_UPLOAD_QUEUE, { name: WORKER_ID, autorun: false, ...UPLOAD_WORKER_OPTIONS })
export class SegmentUploadProcessor extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SegmentUploadProcessor.name);
  private running?: Promise<void>;

  constructor(
    @InjectConfig(workerConfig) private readonly config: ConfigOf<typeof workerConfig>,
    private readonly runner: UploadJobRunner,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.concurrency;
    this.running = this.worker.run().catch((err: Error) => this.logger.error({ err: err.message }, 'upload worker stopped'));
    this.logger.log({ queue: SEGMENT_UPLOAD_QUEUE, concurrency: this.config.concurrency, worker: WORKER_ID }, 'upload worker consuming');
  }

  /** A job that cannot be run at all (unknown name, invalid payload) fails for good: no retry can fix it. */
  async process(job: UploadJob): Promise<UploadJobResult> {
    try {
      if (job.name !== UPLOAD_SEGMENT_JOB) throw new InvalidUploadPayloadError(`unknown job name "${job.name}" on ${SEGMENT_UPLOAD_QUEUE}`);
      return await this.runner.run(job);
    } catch (err) {
      if (!(err instanceof InvalidUploadPayloadError)) throw err;
      this.logger.error({ jobId: job.id, err: err.message }, 'upload job rejected');
      throw new JobRejected(err.message);
    }
  }

  /** Real failures only (drops complete their job): BullMQ retries, or has given up. */
  @OnWorkerEvent('failed')
  onFailed(job: UploadJob | undefined, err: Error): void {
    if (!job || err instanceof JobRejected) return;
    if (bullmqGaveUp(job, err)) {
      void this.runner.recordGiveUp(job, err);
    } else {
      this.logger.error({ jobId: job.id, attemptsMade: job.attemptsMade, err: err.message }, 'upload job failed; BullMQ retries it');
    }
  }

  @OnWorkerEvent('stalled')
  onStalled(jobId: string): void {
    this.logger.warn({ jobId }, 'a stalled upload job was put back in the queue');
  }

  @OnWorkerEvent('error')
  onError(err: Error): void {
    this.logger.error({ err: err.message }, 'queue connection error');
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    if (!this.running) return;
    this.logger.log({ signal }, 'upload worker draining: finishing running jobs');
    await this.worker.close();
    await this.running;
    this.logger.log('upload worker closed');
  }
}
