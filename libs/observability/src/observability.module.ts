import { DynamicModule, Module, Type } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { commonConfig } from '@lib/config';
import { HealthModule, ReadinessProbe } from './health';
import { resolveLogFormat } from './log-format';
import { loggerParams } from './logger';
import { MetricsModule } from './metrics';

/**
 * Structured logs, /metrics and /health for one app. `probes` are the readiness
 * checks of the dependencies the app uses (e.g. RedisProbe, S3Probe, DatabaseProbe).
 */
@Module({})
export class ObservabilityModule {
  static forRoot(app: string, probes: Type<ReadinessProbe>[] = []): DynamicModule {
    const common = commonConfig.load();
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRoot(loggerParams(app, common.logLevel, resolveLogFormat(common.logFormat))),
        MetricsModule.forRoot(app),
        HealthModule.forRoot(probes),
      ],
    };
  }
}
