import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { InjectConfig, type ConfigOf, redisConfig, workerConfig } from '@lib/config';
import { SEGMENT_UPLOAD_QUEUE, UPLOAD_SEGMENT_JOB, UPLOAD_WORKER_OPTIONS, bullConnection, type UploadSegmentPayload } from '@lib/queue';
import { UploadJobRunner, WORKER_ID, isDropError, type UploadResult } from './upload-job.runner';

/**
 * BullMQ gives up on a job after its last attempt, or when it stalled (its worker died)
 * more often than maxStalledCount: no run of ours will record the outcome then.
 */
function isFinalFailure(job: Job, err: Error): boolean {
  return job.attemptsMade >= (job.opts.attempts ?? 1) || /stalled more than allowable limit/i.test(err.message);
}

/**
 * The BullMQ consumer of `segment-upload`, owned by Nest's lifecycle: it starts once the
 * app is up and, on SIGTERM, stops taking jobs and waits for the running ones before the
 * Redis and database connections close (beforeApplicationShutdown runs first). Jobs not
 * started stay in the queue for the other workers. The lock and stall intervals of
 * UPLOAD_WORKER_OPTIONS hand a killed worker's jobs to another one within the deadline.
 */
@Injectable()
export class SegmentUploadProcessor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(SegmentUploadProcessor.name);
  private worker?: Worker<UploadSegmentPayload, UploadResult>;
  private running?: Promise<void>;

  constructor(
    @InjectConfig(redisConfig) private readonly redis: ConfigOf<typeof redisConfig>,
    @InjectConfig(workerConfig) private readonly config: ConfigOf<typeof workerConfig>,
    private readonly runner: UploadJobRunner,
  ) {}

  onApplicationBootstrap(): void {
    const worker = new Worker<UploadSegmentPayload, UploadResult>(SEGMENT_UPLOAD_QUEUE, (job) => this.process(job), {
      connection: bullConnection(this.redis.url),
      prefix: this.redis.prefix,
      concurrency: this.config.concurrency,
      name: WORKER_ID,
      autorun: false,
      ...UPLOAD_WORKER_OPTIONS,
    });
    worker.on('error', (err) => this.logger.error({ err: err.message }, 'queue connection error'));
    worker.on('failed', (job, err) => {
      // Drops are logged and recorded where they happen; anything else is unexpected.
      if (!job || isDropError(err) || err instanceof UnrecoverableError) return;
      if (isFinalFailure(job, err)) {
        void this.runner.recordGiveUp(job, err);
      } else {
        this.logger.error({ jobId: job.id, attemptsMade: job.attemptsMade, err: err.message }, 'upload job failed; BullMQ retries it');
      }
    });
    worker.on('stalled', (jobId) => this.logger.warn({ jobId }, 'a stalled upload job was put back in the queue'));
    this.worker = worker;
    this.running = worker.run().catch((err: Error) => this.logger.error({ err: err.message }, 'upload worker stopped'));
    this.logger.log(
      { queue: SEGMENT_UPLOAD_QUEUE, concurrency: this.config.concurrency, worker: WORKER_ID },
      'upload worker consuming',
    );
  }

  private process(job: Job<UploadSegmentPayload, UploadResult>): Promise<UploadResult> {
    if (job.name !== UPLOAD_SEGMENT_JOB) {
      throw new UnrecoverableError(`unknown job name "${job.name}" on ${SEGMENT_UPLOAD_QUEUE}`);
    }
    return this.runner.run(job);
  }

  async beforeApplicationShutdown(signal?: string): Promise<void> {
    if (!this.worker) return;
    this.logger.log({ signal }, 'upload worker draining: finishing running jobs');
    await this.worker.close();
    await this.running;
    this.logger.log('upload worker closed');
  }
}
