import { Injectable, OnModuleInit } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { SessionRepository } from '@lib/database';
import { MetricsService } from '@lib/observability';
import { SessionsQuery } from './sessions.service';

/**
 * Per live session, read when /metrics is scraped (from the same rows as the admin API):
 * `stitcher_session_transcoding{session_id,status}` = 1 for its status (`transcoding`,
 * `degraded`, `not-transcoding`), and `stitcher_session_speed_factor{session_id}`.
 */
@Injectable()
export class TranscodeMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly sessions: SessionRepository,
    private readonly query: SessionsQuery,
  ) {}

  onModuleInit(): void {
    const registry = this.metrics.registry;
    if (registry.getSingleMetric('stitcher_session_transcoding')) return;
    const speed = new Gauge({
      name: 'stitcher_session_speed_factor',
      help: 'Live session: media duration / push round trip over its recent segments (below 1: slower than real time)',
      labelNames: ['session_id'],
      registers: [registry],
    });
    const read = async () => {
      const live = await this.sessions.list({ state: 'live', limit: 1000 });
      return Promise.all(live.map(async (s) => ({ id: s.id, health: await this.query.transcodeOf(s) })));
    };
    new Gauge({
      name: 'stitcher_session_transcoding',
      help: 'Live session transcode status: 1 for its status (transcoding, degraded, not-transcoding)',
      labelNames: ['session_id', 'status'],
      registers: [registry],
      async collect() {
        const rows = await read();
        this.reset();
        speed.reset();
        for (const { id, health } of rows) {
          this.set({ session_id: id, status: health.status.startsWith('not transcoding') ? 'not-transcoding' : health.status }, 1);
          if (health.speedFactor !== null) speed.set({ session_id: id }, health.speedFactor);
        }
      },
    });
  }
}
