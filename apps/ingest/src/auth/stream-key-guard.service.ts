import { Injectable } from '@nestjs/common';
import { InjectConfig, commonConfig, type ConfigOf } from '@lib/config';
import type { StreamEntity } from '@lib/database';
import { FailureLimiter } from '@lib/security';
import type { Protocol } from '../ingest-metrics';
import { PublishManager, PublishRefusedError } from '../publish/publish-manager.service';

/** An address that presented too many unknown stream keys; it may try again after `retryAfterMs`. */
export class TooManyKeyFailuresError extends Error {
  constructor(readonly retryAfterMs: number) {
    super('too many unknown stream keys from this address; try again later');
    this.name = 'TooManyKeyFailuresError';
  }
}

/**
 * The stream key check of both publish paths (RTMP and HTTP push), slowed down per client
 * address: after AUTH_FAILURE_LIMIT unknown keys in AUTH_FAILURE_WINDOW_MS, that address's
 * publishes are refused before any lookup until the window passes. One limiter for both
 * protocols, so a guesser cannot double its tries by switching. Other addresses, and their
 * right keys, are not affected.
 */
@Injectable()
export class StreamKeyGuard {
  private readonly limiter: FailureLimiter;

  constructor(
    private readonly manager: PublishManager,
    @InjectConfig(commonConfig) common: ConfigOf<typeof commonConfig>,
  ) {
    this.limiter = new FailureLimiter(common.authFailureLimit, common.authFailureWindowMs);
  }

  async authorize(streamKey: string, protocol: Protocol, peer?: string): Promise<StreamEntity> {
    const wait = this.limiter.retryAfterMs(peer);
    if (wait > 0) {
      const refusal = new TooManyKeyFailuresError(wait);
      this.manager.noteRefusal(protocol, 'too-many-failures', refusal.message, peer);
      throw refusal;
    }
    try {
      return await this.manager.authorize(streamKey, protocol, peer);
    } catch (err) {
      if (err instanceof PublishRefusedError && err.reason === 'unknown-key') this.limiter.recordFailure(peer);
      throw err;
    }
  }
}
