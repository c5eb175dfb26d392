import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { BroadcasterStatus } from './broadcaster-status';
import { FaultSpecError } from './faults';
import { FaultsService } from './faults.service';
import { LocalhostOnlyGuard } from './localhost-only.guard';
import { PushStatsService } from './push-stats.service';

/** Fault injection and push counters (localhost only). */
@Controller('admin')
@UseGuards(LocalhostOnlyGuard)
export class BroadcasterAdminController {
  constructor(
    private readonly status: BroadcasterStatus,
    private readonly faults: FaultsService,
    private readonly stats: PushStatsService,
  ) {}

  @Get('status')
  details() {
    return this.status.details();
  }

  @Get('faults')
  currentFaults() {
    return this.faults.current;
  }

  /** Partial update: `{"failNext":2,"failStatus":503}`, `{"delayMs":500}`, `{"unhealthy":true}`... */
  @Post('faults')
  @HttpCode(200)
  setFaults(@Body() body: unknown) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new BadRequestException('body must be a JSON object of faults');
    }
    try {
      return this.faults.update(body as Record<string, unknown>);
    } catch (err) {
      if (err instanceof FaultSpecError) throw new BadRequestException(err.message);
      throw err;
    }
  }

  @Delete('faults')
  clearFaults() {
    return this.faults.clear();
  }

  /** Pushes received: totals and per manifest per sequence number (proves exactly-once delivery). */
  @Get('pushes')
  pushes() {
    return this.stats.snapshot();
  }

  @Delete('pushes')
  @HttpCode(204)
  resetPushes() {
    this.stats.reset();
  }
}
