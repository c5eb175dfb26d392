import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ConfigOf, InjectConfig, livepeerLocalConfig } from '@lib/config';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { ApiError } from './api-error';

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * `Authorization: Bearer <apiKey>` with a key from LIVEPEER_LOCAL_API_KEYS; 401
 * `{"errors":["missing auth token"]}` without one (docs/livepeer-protocol.md §2.1). The key is never logged.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(@InjectConfig(livepeerLocalConfig) private readonly config: ConfigOf<typeof livepeerLocalConfig>) {}

  canActivate(context: ExecutionContext): boolean {
    const header = context.switchToHttp().getRequest<Request>().header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw new ApiError(401, ['missing auth token']);
    if (!this.config.apiKeys.some((key) => sameSecret(key, match[1]))) throw new ApiError(401, ['invalid auth token']);
    return true;
  }
}
