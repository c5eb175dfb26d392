import { DynamicModule, Global, Inject, Module, Provider } from '@nestjs/common';
import type { z } from 'zod/v4';
import { ConfigNamespace, Env, loadAll } from './define-config';

type AnyNamespace = ConfigNamespace<z.ZodRawShape, unknown>;

/**
 * Registers the settings namespaces an app uses as injectable values. Loading
 * happens once, here, so a bad variable stops boot before any connection opens.
 */
@Global()
@Module({})
export class AppConfigModule {
  static forRoot(namespaces: AnyNamespace[], env: Env = process.env): DynamicModule {
    loadAll(namespaces, env);
    const providers: Provider[] = namespaces.map((ns) => ({ provide: ns.token, useValue: ns.load(env) }));
    return { module: AppConfigModule, providers, exports: providers };
  }
}

/** `@InjectConfig(redisConfig) private readonly redis: ConfigOf<typeof redisConfig>` */
export const InjectConfig = (ns: AnyNamespace) => Inject(ns.token);
