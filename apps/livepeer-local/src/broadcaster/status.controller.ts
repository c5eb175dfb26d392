import {
  BadRequestException,
  Body,
  CanActivate,
  Controller,
  Delete,
  ExecutionContext,
  ForbiddenException,
  Get,
  HttpCode,
  Injectable,
  Post,
  Res,
  UseGuards,
} from '@nestjs/common';
import { ConfigOf, InjectConfig, livepeerLocalConfig } from '@lib/config';
import type { Request, Response } from 'express';
import { FaultSpecError } from './faults';
import { FaultsService } from './faults.service';
import { PushStatsService } from './push-stats.service';
import { SessionsService } from './sessions.service';
import { TranscoderService } from './transcoder.service';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** The admin endpoint changes behaviour (faults): only callers on this machine may use it. */
@Injectable()
export class LocalhostOnlyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) throw new ForbiddenException('admin endpoint is localhost-only');
    return true;
  }
}

@Injectable()
export class BroadcasterStatus {
  readonly startedAt = Date.now();

  constructor(
    @InjectConfig(livepeerLocalConfig) private readonly config: ConfigOf<typeof livepeerLocalConfig>,
    private readonly faults: FaultsService,
    private readonly sessions: SessionsService,
    private readonly stats: PushStatsService,
    private readonly transcoder: TranscoderService,
  ) {}

  get healthy(): boolean {
    return !this.faults.unhealthy;
  }

  /** What the API's health check and an operator see. */
  summary() {
    return {
      healthy: this.healthy,
      pid: process.pid,
      region: this.config.broadcasterRegion,
      transcodeMode: this.transcoder.mode,
      loadTestMode: this.transcoder.mode !== 'ffmpeg',
      transcodeModeNote: this.transcoder.modeNote,
      authWebhook: this.config.hookUrl ?? null,
      sessions: this.sessions.count,
      maxSessions: this.config.maxSessions,
      sessionTimeoutMs: this.config.sessionTimeoutMs,
      pushes: this.stats.summary(),
      uptimeSec: Math.round((Date.now() - this.startedAt) / 1000),
    };
  }

  details() {
    return {
      ...this.summary(),
      faults: this.faults.current,
      manifests: this.sessions.list().map((s) => ({
        manifestId: s.manifestId,
        externalId: s.externalId,
        profiles: s.profiles.map((p) => p.name),
        segments: s.segmentsCompleted,
        lastPushAt: new Date(s.lastPushAt).toISOString(),
      })),
    };
  }
}

/** Public status, like go-livepeer's /status: 503 while marked unhealthy. */
@Controller()
export class StatusController {
  constructor(private readonly status: BroadcasterStatus) {}

  @Get('status')
  get(@Res() res: Response) {
    res.status(this.status.healthy ? 200 : 503).json(this.status.summary());
  }
}

/** Fault injection and push counters (localhost only). */
@Controller('admin')
@UseGuards(LocalhostOnlyGuard)
export class AdminController {
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
