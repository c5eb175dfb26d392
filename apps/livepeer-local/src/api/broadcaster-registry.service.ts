import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ConfigOf, InjectConfig, livepeerLocalConfig } from '@lib/config';
import { BroadcasterInfo, describeFetchError } from '@lib/livepeer';
import { apiDialect } from './api-dialect';

export interface BroadcasterEntry {
  address: string;
  region: string;
  /** started by this process, or listed in LIVEPEER_LOCAL_BROADCASTER_URLS */
  origin: 'spawned' | 'configured';
  healthy: boolean;
  lastCheckAt?: number;
  lastError?: string;
  /** the broadcaster's last /status answer */
  status?: unknown;
}

/** Fisher-Yates; the API shuffles so that clients spread over broadcasters. */
export function shuffle<T>(items: T[], random = Math.random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Shuffled, with the given region's broadcasters first (as the geolocating API orders them). */
export function orderForRegion<T extends { region: string }>(entries: T[], region?: string, random = Math.random): T[] {
  const wanted = region?.trim().toLowerCase();
  if (!wanted) return shuffle(entries, random);
  const local = entries.filter((e) => e.region.toLowerCase() === wanted);
  const others = entries.filter((e) => e.region.toLowerCase() !== wanted);
  return [...shuffle(local, random), ...shuffle(others, random)];
}

/**
 * The broadcasters the API knows, each checked over HTTP (`GET /status`) every
 * LIVEPEER_LOCAL_HEALTH_INTERVAL_MS: a killed, hung or "unhealthy" one leaves
 * `/api/broadcaster` at the next check and comes back once it answers 200 again.
 */
@Injectable()
export class BroadcasterRegistryService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Broadcasters');
  private readonly entries = new Map<string, BroadcasterEntry>();
  private readonly checking = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(@InjectConfig(livepeerLocalConfig) private readonly config: ConfigOf<typeof livepeerLocalConfig>) {}

  onModuleInit() {
    for (const { address, region } of this.config.broadcasterUrls) this.add(address, region ?? 'local', 'configured');
    this.timer = setInterval(() => void this.checkAll(), this.config.healthIntervalMs);
    this.timer.unref();
  }

  onModuleDestroy() {
    clearInterval(this.timer);
  }

  add(address: string, region: string, origin: BroadcasterEntry['origin']): void {
    this.entries.set(address, { address, region, origin, healthy: false });
    this.logger.log({ event: 'broadcaster-added', address, region, origin }, `broadcaster ${address} (${region}) added`);
    void this.check(address); // known healthy as soon as it answers, not one interval later
  }

  get size(): number {
    return this.entries.size;
  }

  all(): BroadcasterEntry[] {
    return [...this.entries.values()];
  }

  healthy(): BroadcasterEntry[] {
    return this.all().filter((e) => e.healthy);
  }

  /**
   * What `GET /api/broadcaster` answers: the healthy ones, or in the legacy dialect every one it
   * knows (an older API's static list keeps a dead broadcaster listed).
   */
  list(region?: string): BroadcasterInfo[] {
    const listed = apiDialect(this.config.dialect).listsUnhealthy ? this.all() : this.healthy();
    return orderForRegion(listed, region).map((e) => ({ address: e.address }));
  }

  async checkAll(): Promise<void> {
    await Promise.all([...this.entries.keys()].map((address) => this.check(address)));
  }

  private async check(address: string): Promise<void> {
    if (this.checking.has(address)) return; // a slow answer is not asked twice
    this.checking.add(address);
    let healthy = false;
    let error: string | undefined;
    let status: unknown;
    try {
      const response = await fetch(`${address}/status`, {
        signal: AbortSignal.timeout(Math.max(500, Math.min(2000, this.config.healthIntervalMs * 2))),
      });
      status = await response.json().catch(() => undefined);
      healthy = response.status === 200;
      if (!healthy) error = `status answered ${response.status}`;
    } catch (err) {
      error = (err as Error)?.name === 'TimeoutError' ? 'status timed out' : describeFetchError(err);
    } finally {
      this.checking.delete(address);
    }
    const entry = this.entries.get(address);
    if (!entry) return;
    if (entry.healthy !== healthy) {
      const log = { event: healthy ? 'broadcaster-healthy' : 'broadcaster-unhealthy', address, reason: error };
      if (healthy) this.logger.log(log, `broadcaster ${address} is healthy`);
      else this.logger.warn(log, `broadcaster ${address} is unhealthy: ${error}`);
    }
    Object.assign(entry, { healthy, lastCheckAt: Date.now(), lastError: error, status });
  }
}
