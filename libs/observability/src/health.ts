import { Controller, DynamicModule, Get, Injectable, Module, Type } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthCheck, HealthCheckService, HealthIndicatorResult, HealthIndicatorService, TerminusModule } from '@nestjs/terminus';
import { withTimeout } from '@lib/timing';

/**
 * A dependency an app needs to serve (Redis, S3, database, ...). Each library that
 * opens a connection provides one; an app lists the ones it uses.
 */
export interface ReadinessProbe {
  /** Short name shown in /health/ready, e.g. "redis". */
  readonly name: string;
  /** Resolves when the dependency answers; rejects with a reason otherwise. */
  probe(): Promise<void>;
}

export const READINESS_PROBES = 'health:readiness-probes';

@Injectable()
export class ReadinessService {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly moduleRef: ModuleRef,
  ) {}

  probes(types: Type<ReadinessProbe>[]): ReadinessProbe[] {
    return types.map((t) => this.moduleRef.get(t, { strict: false }));
  }

  async run(probe: ReadinessProbe): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(probe.name);
    try {
      // A time limit, so a hung dependency makes /health/ready fail, not hang.
      await withTimeout(probe.probe(), 3000, `${probe.name} probe`);
      return indicator.up();
    } catch (err) {
      return indicator.down({ message: (err as Error).message });
    }
  }
}

export function healthController(probeTypes: Type<ReadinessProbe>[]): Type<unknown> {
  @Controller('health')
  class HealthController {
    constructor(
      private readonly health: HealthCheckService,
      private readonly readiness: ReadinessService,
    ) {}

    /** The process is up and its event loop answers. */
    @Get('live')
    @HealthCheck()
    live() {
      return this.health.check([]);
    }

    /** Every dependency this app uses answers: 200, else 503 with the failing ones. */
    @Get('ready')
    @HealthCheck()
    ready() {
      const probes = this.readiness.probes(probeTypes);
      return this.health.check(probes.map((p) => () => this.readiness.run(p)));
    }
  }
  return HealthController;
}

@Module({})
export class HealthModule {
  static forRoot(probes: Type<ReadinessProbe>[]): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [healthController(probes)],
      providers: [ReadinessService],
    };
  }
}
