import { CanActivate, ExecutionContext, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { InjectConfig, stitcherConfig, type ConfigOf } from '@lib/config';
import { presentedToken, tokenMatches } from './admin-token';

/** The admin API's authentication: the ADMIN_TOKEN as a bearer token (or the dashboard's cookie); 401 otherwise. */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(@InjectConfig(stitcherConfig) private readonly settings: ConfigOf<typeof stitcherConfig>) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const request = http.getRequest<Request>();
    if (tokenMatches(presentedToken(request.headers), this.settings.adminToken)) return true;
    http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer realm="livepeer-relay admin"');
    throw new UnauthorizedException('a valid admin bearer token is required (Authorization: Bearer <ADMIN_TOKEN>)');
  }
}
