import { CanActivate, ExecutionContext, HttpException, Injectable, UnauthorizedException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ADMIN_REALM, AdminAuthenticator } from './admin-authenticator';

/**
 * The admin API's authentication: the ADMIN_TOKEN or an API key as a bearer token, 401
 * otherwise (429 after too many wrong ones, 403 for a read key on a changing request). The dashboard's cookie does not count here: every API call
 * of the dashboard carries the header, so no other page can make a browser call the API.
 */
@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(private readonly authenticator: AdminAuthenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const refusal = await this.authenticator.check(http.getRequest<Request>(), { cookie: false });
    if (!refusal) return true;
    const response = http.getResponse<Response>();
    if (refusal.status === 401) response.setHeader('WWW-Authenticate', ADMIN_REALM);
    if (refusal.retryAfter !== undefined) response.setHeader('Retry-After', String(refusal.retryAfter));
    throw refusal.status === 401 ? new UnauthorizedException(refusal.message) : new HttpException(refusal.message, refusal.status);
  }
}
