import { CanActivate, ExecutionContext, ForbiddenException, Injectable } from '@nestjs/common';
import type { Request } from 'express';

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
