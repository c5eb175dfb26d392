import { Injectable } from '@nestjs/common';
import type { ReadinessProbe } from '@lib/observability';
import { BroadcasterRegistryService } from './broadcaster-registry.service';
import { BroadcasterSupervisorService } from './broadcaster-supervisor.service';

/**
 * The API is ready once its broadcasters are: every one it starts has started, and at least
 * one known broadcaster answers its health check (none configured at all is ready too).
 */
@Injectable()
export class BroadcastersProbe implements ReadinessProbe {
  readonly name = 'broadcasters';

  constructor(
    private readonly registry: BroadcasterRegistryService,
    private readonly supervisor: BroadcasterSupervisorService,
  ) {}

  async probe(): Promise<void> {
    if (this.supervisor.starting) throw new Error('broadcasters are starting');
    if (this.registry.size > 0 && this.registry.healthy().length === 0) {
      throw new Error(`none of ${this.registry.size} broadcaster(s) is healthy`);
    }
  }
}
