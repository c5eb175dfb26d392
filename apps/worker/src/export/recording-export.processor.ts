import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { BeforeApplicationShutdown, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { UnrecoverableError } from 'bullmq';
import { InjectConfig, type ConfigOf, workerConfig } from '@lib/config';
import {
  EXPORT_RECORDING_JOB,
  EXPORT_WORKER_OPTIONS,
  InvalidExportPayloadError,
  RECORDING_EXPORT_QUEUE,
  type ExportRecordingResult,
} from '@lib/queue';
import { WORKER_ID } from '../upload/upload-job.runner';
import { bullmqGaveUp } from '../upload/segment-upload.processor';
import { RecordingExporter, type ExportJob } from './recording-exporter';

/**
 * The consumer of `recording-export`, apart from the upload queue so a long export never holds
 * an upload slot. A killed worker's job is taken up again once its lock lapses
 * (EXPORT_WORKER_OPTIONS), by another worker or the same one restarted, and keeps the
 * segments the first run downloaded. Drained on SIGTERM like the upload worker.
 */
@Processor(RECORDING_EXPORT_QUEUE, { name: `${WORKER_ID}-export`, autorun: false, ...EXPORT_WORKER_OPTIONS })
export class RecordingExportProcessor extends WorkerHost implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RecordingExportProcessor.name);
  private running?: Promise<void>;

  constructor(
    @InjectConfig(workerConfig) private readonly config: ConfigOf<typeof workerConfig>,
    private readonly exporter: RecordingExporter,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.config.exportConcurrency;
    this.running = this.worker.run().catch((err: Error) => this.logger.error({ err: err.message }, 'export worker stopped'));
    this.logger.log({ queue: RECORDING_EXPORT_QUEUE, concurrency: this.config.exportConcurrency }, 'export worker consuming');
  }

  async process(job: ExportJob): Promise<ExportRecordingResult> {
    try {
      if (job.name !== EXPORT_RECORDING_JOB)
        throw new InvalidExportPayloadError(`unknown job name "${job.name}" on ${RECORDING_EXPORT_QUEUE}`);
      return await this.exporter.run(job);
    } catch (err) {
      if (err instanceof InvalidExportPayloadError) throw new UnrecoverableError(err.message);
      throw err;
    }
  }

  @OnWorkerEvent('failed')
  onFailed(job: ExportJob | undefined, err: Error): void {
    if (!job) return;
    if (bullmqGaveUp(job, err)) void this.exporter.recordFailure(job, err);
    else this.logger.warn({ jobId: job.id, attemptsMade: job.attemptsMade, err: err.message }, 'export failed; BullMQ retries it');
  }

  @OnWorkerEvent('stalled')
  onStalled(jobId: string): void {
    this.logger.warn({ jobId }, 'a stalled export (its worker died) was put back in the queue');
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.running) return;
    await this.worker.close();
    await this.running;
  }
}
