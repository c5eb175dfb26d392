import { Injectable } from '@nestjs/common';
import { ConfigOf, InjectConfig, livepeerLocalConfig } from '@lib/config';
import { BroadcasterSessionsService } from './broadcaster-sessions.service';
import { FaultsService } from './faults.service';
import { PushStatsService } from './push-stats.service';
import { TranscoderService } from './transcoder.service';

/** What the broadcaster reports about itself, publicly (summary) and to the admin endpoint (details). */
@Injectable()
export class BroadcasterStatus {
  readonly startedAt = Date.now();

  constructor(
    @InjectConfig(livepeerLocalConfig) private readonly config: ConfigOf<typeof livepeerLocalConfig>,
    private readonly faults: FaultsService,
    private readonly sessions: BroadcasterSessionsService,
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
