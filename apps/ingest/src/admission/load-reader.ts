import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { InjectConfig, type ConfigOf, admissionConfig, livepeerConfig } from '@lib/config';
import { LivepeerApiClient } from '@lib/livepeer';
import { BROADCASTER_STATS_FIELDS, REDIS, REDIS_KEYS, type RedisKeys } from '@lib/queue';
import { UploadProducer } from '../segments/upload-producer.service';
import { type BroadcasterLoad, type LoadSnapshot, fullAnswer } from './admission-decision';

/** A snapshot serves every publish in this window: a storm of connects costs one read. */
const SNAPSHOT_TTL_MS = 1000;
const READ_TIMEOUT_MS = 1500;

/**
 * Reads what admission decides on (admission-decision.ts): the broadcasters the API lists
 * (or LIVEPEER_BROADCASTER_URL), what each says of itself on `GET /status` (livepeer-local
 * and go-livepeer-like broadcasters: `sessions`, `maxSessions`), their last answers as the
 * workers recorded them (`broadcasterStats`: a recent "Too many sessions"/503 means full),
 * the workers' assignments of the live sessions, and the upload queue's backlog.
 */
@Injectable()
export class LoadReader {
  private readonly logger = new Logger(LoadReader.name);
  private cached?: { at: number; snapshot: Promise<LoadSnapshot> };

  constructor(
    private readonly api: LivepeerApiClient,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_KEYS) private readonly keys: RedisKeys,
    private readonly uploads: UploadProducer,
    @InjectConfig(admissionConfig) private readonly settings: ConfigOf<typeof admissionConfig>,
    @InjectConfig(livepeerConfig) private readonly livepeer: ConfigOf<typeof livepeerConfig>,
  ) {}

  snapshot(now = Date.now()): Promise<LoadSnapshot> {
    if (!this.cached || now - this.cached.at >= SNAPSHOT_TTL_MS) this.cached = { at: now, snapshot: this.read(now) };
    return this.cached.snapshot;
  }

  private async read(now: number): Promise<LoadSnapshot> {
    const [broadcasters, uploadBacklog] = await Promise.all([
      this.broadcasters(now).catch((err: Error) => {
        this.logger.warn({ err: err.message }, 'broadcaster capacity unknown; admitting on the other limits');
        return null;
      }),
      this.settings.maxUploadBacklog > 0 ? this.uploads.waiting().catch(() => null) : Promise.resolve(null),
    ]);
    return { broadcasters, uploadBacklog };
  }

  /** null for an empty list: broadcasters restarting or not registered yet say nothing of capacity (segments wait for them). */
  private async broadcasters(now: number): Promise<BroadcasterLoad[] | null> {
    const addresses = this.livepeer.broadcasterUrl
      ? [this.livepeer.broadcasterUrl]
      : (await this.api.listBroadcasters(AbortSignal.timeout(READ_TIMEOUT_MS))).map((b) => b.address);
    if (addresses.length === 0) return null;
    const normalized = addresses.map((a) => a.trim().replace(/\/+$/, ''));
    const assigned = await this.assignedCounts();
    return Promise.all(
      normalized.map(async (address): Promise<BroadcasterLoad> => {
        const [status, answer] = await Promise.all([readStatus(address), this.lastLimitAnswer(address, now)]);
        return {
          address,
          maxSessions: status.maxSessions ?? answer?.max,
          heldSessions: status.sessions,
          assignedSessions: assigned.get(address) ?? 0,
          full: answer !== null,
        };
      }),
    );
  }

  /** Live sessions (admission slots) per broadcaster the workers assigned them to. */
  private async assignedCounts(): Promise<Map<string, number>> {
    const sessions = await this.redis.zrange(this.keys.admissionSlots(), 0, -1);
    const counts = new Map<string, number>();
    if (sessions.length === 0) return counts;
    const addresses = await this.redis.mget(sessions.map((id) => this.keys.sessionBroadcaster(id)));
    for (const address of addresses) if (address) counts.set(address, (counts.get(address) ?? 0) + 1);
    return counts;
  }

  /** The broadcaster's last failure, when it is a session-limit answer within ADMISSION_FULL_MEMORY_MS. */
  private async lastLimitAnswer(address: string, now: number): Promise<{ max?: number } | null> {
    const f = BROADCASTER_STATS_FIELDS;
    const [lastError, lastFailureAt] = await this.redis.hmget(this.keys.broadcasterStats(address), f.lastError, f.lastFailureAt);
    if (!lastFailureAt || now - Number(lastFailureAt) > this.settings.fullMemoryMs) return null;
    return fullAnswer(lastError ?? undefined);
  }
}

/** `GET {address}/status`: its session figures when it gives them (any status: an unhealthy one still answers). */
async function readStatus(address: string): Promise<{ sessions?: number; maxSessions?: number }> {
  try {
    const response = await fetch(`${address}/status`, { signal: AbortSignal.timeout(READ_TIMEOUT_MS) });
    const body = (await response.json()) as { sessions?: unknown; maxSessions?: unknown };
    return { sessions: count(body.sessions), maxSessions: count(body.maxSessions) };
  } catch {
    return {};
  }
}

function count(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
}
