import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { InjectConfig, commonConfig, stitcherConfig, type ConfigOf } from '@lib/config';
import { FailureLimiter } from '@lib/security';
import { presentedToken } from './admin-token';
import { ApiKeysService } from './api-keys.service';
import { isSameOriginOrSafe } from './same-origin';

const READ_METHODS = new Set(['GET', 'HEAD']);
const NEED_TOKEN = 'a valid admin bearer token is required (Authorization: Bearer <ADMIN_TOKEN or API key>)';

/** Why a request was not let in: the status and message to answer with. */
export interface AdminRefusal {
  status: 401 | 403 | 429;
  message: string;
  /** seconds, for Retry-After (429) */
  retryAfter?: number;
}

export const ADMIN_REALM = 'Bearer realm="livepeer-relay admin"';

/**
 * The one check of admin credentials, for the API guard, bull-board and the dashboard's calls
 * alike: the ADMIN_TOKEN (constant-time compare) or a named API key (ApiKeysService; a `read`
 * key may only GET/HEAD, 403 otherwise), wrong ones counted per client address
 * (AUTH_FAILURE_LIMIT per AUTH_FAILURE_WINDOW_MS, then 429 until the window passes), and
 * for the cookie the origin check that keeps other pages from using it (same-origin.ts).
 */
@Injectable()
export class AdminAuthenticator {
  private readonly limiter: FailureLimiter;
  private readonly ownHosts: string[];

  constructor(
    @InjectConfig(stitcherConfig) settings: ConfigOf<typeof stitcherConfig>,
    @InjectConfig(commonConfig) common: ConfigOf<typeof commonConfig>,
    private readonly apiKeys: ApiKeysService,
  ) {
    this.limiter = new FailureLimiter(common.authFailureLimit, common.authFailureWindowMs);
    const publicHost = common.publicHost.toLowerCase();
    this.ownHosts = [`${publicHost}:${settings.httpPort}`, ...(settings.httpPort === 80 ? [publicHost] : [])];
  }

  /** null when the request may go on; `cookie`: whether the dashboard's cookie counts (bull-board) or only the header (API). */
  async check(req: Request, options: { cookie: boolean }): Promise<AdminRefusal | null> {
    const peer = req.socket.remoteAddress;
    const wait = this.limiter.retryAfterMs(peer);
    if (wait > 0) {
      return { status: 429, message: 'too many wrong admin tokens from this address; try again later', retryAfter: Math.ceil(wait / 1000) };
    }
    const presented = presentedToken(req.headers, options.cookie);
    if (!presented) return { status: 401, message: NEED_TOKEN };
    const principal = await this.apiKeys.authenticate(presented.token);
    if (!principal) {
      this.limiter.recordFailure(peer);
      return { status: 401, message: NEED_TOKEN };
    }
    if (principal.scope === 'read' && !READ_METHODS.has((req.method ?? 'GET').toUpperCase())) {
      return { status: 403, message: 'this API key has the read scope: only GET and HEAD requests are allowed' };
    }
    if (presented.via === 'cookie' && !isSameOriginOrSafe(req, this.ownHosts)) {
      return { status: 403, message: 'cross-origin request refused: send the token as Authorization: Bearer <ADMIN_TOKEN>' };
    }
    return null;
  }
}
