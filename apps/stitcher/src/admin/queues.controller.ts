import { InjectQueue } from '@nestjs/bullmq';
import { Controller, Get, HttpCode, NotFoundException, Param, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Queue } from 'bullmq';
import { SEGMENT_UPLOAD_QUEUE, WEBHOOK_DELIVERY_QUEUE } from '@lib/queue';
import { AdminAuthGuard } from './admin-auth.guard';
import { openApiSchema } from './openapi-schema';
import { QUEUE_SAMPLE_MS, QueueSampler } from './queue-sampler';
import { queueHistorySchema, queueNameSchema, type QueueNameParam } from './schemas';
import { ZodValidationPipe } from './zod-validation.pipe';

const JOB_STATES = ['waiting', 'active', 'completed', 'failed', 'delayed', 'paused', 'prioritized', 'waiting-children'] as const;
/** Failed jobs retried per call, so one call stays short. */
const RETRY_BATCH = 1000;

const validName = new ZodValidationPipe(queueNameSchema);

@ApiTags('queues')
@ApiBearerAuth()
@ApiResponse({ status: 401, description: 'missing or wrong bearer token' })
@UseGuards(AdminAuthGuard)
@Controller('api/queues')
export class QueuesController {
  private readonly queues: Map<string, Queue>;

  constructor(
    @InjectQueue(SEGMENT_UPLOAD_QUEUE) upload: Queue,
    @InjectQueue(WEBHOOK_DELIVERY_QUEUE) webhooks: Queue,
    private readonly sampler: QueueSampler,
  ) {
    this.queues = new Map([
      [upload.name, upload],
      [webhooks.name, webhooks],
    ]);
  }

  @Get()
  @ApiOperation({ summary: 'Every queue with its job counts and whether it is paused' })
  async list() {
    return Promise.all([...this.queues.values()].map((q) => this.describe(q)));
  }

  @Get(':name/history')
  @ApiOperation({
    summary: "The queue's waiting and active counts and jobs per second, sampled every 5 s by this stitcher copy (up to an hour)",
  })
  @ApiResponse({ status: 200, schema: openApiSchema(queueHistorySchema) })
  @ApiResponse({ status: 404, description: 'no such queue' })
  history(@Param(validName) { name }: QueueNameParam) {
    const samples = this.sampler.history(this.queue(name).name) ?? [];
    return { name, sampleMs: QUEUE_SAMPLE_MS, samples };
  }

  @Post(':name/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause a queue: workers finish their jobs and take no new ones' })
  async pause(@Param(validName) { name }: QueueNameParam) {
    const queue = this.queue(name);
    await queue.pause();
    return this.describe(queue);
  }

  @Post(':name/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a paused queue' })
  async resume(@Param(validName) { name }: QueueNameParam) {
    const queue = this.queue(name);
    await queue.resume();
    return this.describe(queue);
  }

  @Post(':name/retry-failed')
  @HttpCode(200)
  @ApiOperation({ summary: 'Move failed jobs back to waiting (past their live deadline the worker drops them)' })
  async retryFailed(@Param(validName) { name }: QueueNameParam) {
    const queue = this.queue(name);
    const failed = await queue.getFailed(0, RETRY_BATCH - 1);
    let retried = 0;
    for (const job of failed) {
      try {
        await job.retry('failed');
        retried++;
      } catch {
        // Removed or retried meanwhile (by a worker or another call): nothing to do.
      }
    }
    return { ...(await this.describe(queue)), retried };
  }

  private queue(name: string): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new NotFoundException(`no queue named ${name}`);
    return queue;
  }

  private async describe(queue: Queue) {
    const counts = await queue.getJobCounts(...JOB_STATES);
    return { name: queue.name, paused: await queue.isPaused(), counts };
  }
}
