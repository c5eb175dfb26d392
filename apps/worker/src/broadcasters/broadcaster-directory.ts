import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { InjectConfig, type ConfigOf, livepeerConfig, workerConfig } from '@lib/config';
import { LivepeerApiClient } from '@lib/livepeer';
import { REDIS, REDIS_KEYS, type RedisKeys } from '@lib/queue';

/** Broadcaster addresses without a trailing slash, so one broadcaster has one Redis key. */
export function normalizeAddress(address: string): string {
  return address.trim().replace(/\/+$/, '');
}

/** After a failed GET /api/broadcaster, ask again this soon rather than after a full TTL. */
const FAILED_LIST_RETRY_MS = 1000;

/**
 * The broadcasters the Livepeer API offers (GET /api/broadcaster, with the region header
 * when configured), cached briefly twice over: in Redis, so N workers ask the API about
 * once per TTL between them, and in process, so a job costs no extra round trip for it.
 * LIVEPEER_BROADCASTER_URL pins one broadcaster and skips the API entirely.
 */
@Injectable()
export class BroadcasterDirectory {
  private readonly logger = new Logger(BroadcasterDirectory.name);
  private readonly api: LivepeerApiClient;
  private readonly pinned?: string;
  private readonly regionPreferred: boolean;
  private known: string[] = [];
  private freshUntil = 0;
  private refreshing?: Promise<string[]>;

  constructor(
    @InjectConfig(livepeerConfig) livepeer: ConfigOf<typeof livepeerConfig>,
    @InjectConfig(workerConfig) private readonly worker: ConfigOf<typeof workerConfig>,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_KEYS) private readonly keys: RedisKeys,
  ) {
    this.pinned = livepeer.broadcasterUrl ? normalizeAddress(livepeer.broadcasterUrl) : undefined;
    this.regionPreferred = Boolean(livepeer.region);
    this.api = new LivepeerApiClient({
      apiUrl: livepeer.apiUrl,
      apiKey: livepeer.apiKey,
      region: livepeer.region,
      timeoutMs: 2000,
      userAgent: 'livepeer-relay-worker',
    });
  }

  /** True when a region is configured: the API then lists that region's broadcasters first. */
  get ordered(): boolean {
    return this.regionPreferred;
  }

  /**
   * The offered broadcasters. Never throws: when the API cannot be reached the last known
   * list is returned (possibly empty), so uploads to the current broadcaster carry on.
   */
  async list(): Promise<string[]> {
    if (this.pinned) return [this.pinned];
    if (Date.now() < this.freshUntil) return this.known;
    this.refreshing ??= this.refresh().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /** Forgets the in-process copy (the shared one expires on its own). */
  invalidate(): void {
    this.freshUntil = 0;
  }

  private async refresh(): Promise<string[]> {
    const ttl = this.worker.broadcasterListTtlMs;
    try {
      const shared = await this.redis.get(this.keys.broadcasterList());
      if (shared) return this.remember(JSON.parse(shared) as string[], ttl);
      const offered = (await this.api.listBroadcasters()).map((b) => normalizeAddress(b.address));
      await this.redis.set(this.keys.broadcasterList(), JSON.stringify(offered), 'PX', ttl);
      if (offered.join() !== this.known.join()) this.logger.log({ broadcasters: offered }, 'broadcaster list changed');
      return this.remember(offered, ttl);
    } catch (err) {
      this.logger.warn({ err: (err as Error).message }, 'cannot refresh the broadcaster list; using the last known one');
      this.freshUntil = Date.now() + Math.min(ttl, FAILED_LIST_RETRY_MS);
      return this.known;
    }
  }

  private remember(addresses: string[], ttl: number): string[] {
    this.known = addresses;
    this.freshUntil = Date.now() + ttl;
    return addresses;
  }
}
