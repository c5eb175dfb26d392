import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { SessionRepository } from '@lib/database';
import { LivepeerApiClient } from '@lib/livepeer';
import { BROADCASTER_STATS_FIELDS, REDIS, REDIS_KEYS, type RedisKeys, scoredMembers } from '@lib/queue';

export interface BroadcasterView {
  address: string;
  /** GET /api/broadcaster lists it now. */
  listed: boolean;
  /** Workers avoid it after failures, for this many more ms. */
  coolingDownMs: number;
  health: BroadcasterHealth;
  /** Failed pushes since its last success (push or active check). */
  consecutiveFailures: number;
  /** When it became failing (null: it is not). */
  failingSince: number | null;
  lastCheckAt: number | null;
  lastCheckError: string | null;
  successes: number;
  failures: number;
  successRate: number | null;
  meanRoundTripMs: number | null;
  lastRoundTripMs: number | null;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
  lastError: string | null;
  /** Live sessions the workers currently push to it. */
  assignments: string[];
}

export type BroadcasterHealth = 'healthy' | 'cooling-down' | 'failing' | 'unlisted';

/**
 * One word for operators. `failing` wins over the API's list: an older API keeps a dead
 * broadcaster listed, and the relay's own push outcomes and checks know better. It lasts until a
 * push or an active check succeeds; `cooling-down` is the short pause after one failure.
 */
export function broadcasterHealth(b: { listed: boolean; failing: boolean; coolingDownMs: number }): BroadcasterHealth {
  if (b.failing) return 'failing';
  if (!b.listed) return 'unlisted';
  return b.coolingDownMs > 0 ? 'cooling-down' : 'healthy';
}

const normalize = (address: string) => address.trim().replace(/\/+$/, '');
const num = (value: string | undefined) => (value === undefined || value === '' ? null : Number(value));

/**
 * Broadcaster health for operators: who the Livepeer API offers, the figures the workers keep
 * per broadcaster in Redis (successes, failures, round trips), cool-downs and assignments.
 */
@Injectable()
export class BroadcastersQuery {
  constructor(
    private readonly livepeer: LivepeerApiClient,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_KEYS) private readonly keys: RedisKeys,
    private readonly sessions: SessionRepository,
  ) {}

  async list(): Promise<{ broadcasters: BroadcasterView[]; apiError: string | null }> {
    let listed: string[] = [];
    let apiError: string | null = null;
    try {
      listed = (await this.livepeer.listBroadcasters()).map((b) => normalize(b.address));
    } catch (err) {
      apiError = (err as Error).message;
    }
    const stats = await this.allStats();
    const assignments = await this.assignments();
    const failing = await this.failing();
    const addresses = [...new Set([...listed, ...stats.keys(), ...assignments.keys(), ...failing.keys()])].sort();
    const broadcasters = await Promise.all(
      addresses.map(async (address): Promise<BroadcasterView> => {
        const s = stats.get(address) ?? {};
        const f = BROADCASTER_STATS_FIELDS;
        const successes = Number(s[f.successes] ?? 0);
        const failures = Number(s[f.failures] ?? 0);
        const cooling = Math.max(0, await this.redis.pttl(this.keys.broadcasterCooldown(address)));
        const isListed = listed.includes(address);
        return {
          address,
          listed: isListed,
          coolingDownMs: cooling,
          health: broadcasterHealth({ listed: isListed, failing: failing.has(address), coolingDownMs: cooling }),
          consecutiveFailures: Number(s[f.consecutiveFailures] ?? 0),
          failingSince: failing.get(address) ?? null,
          lastCheckAt: num(s[f.lastCheckAt]),
          lastCheckError: s[f.lastCheckError] || null,
          successes,
          failures,
          successRate: successes + failures ? successes / (successes + failures) : null,
          meanRoundTripMs: successes ? Math.round(Number(s[f.roundTripMsTotal] ?? 0) / successes) : null,
          lastRoundTripMs: num(s[f.lastRoundTripMs]),
          lastSuccessAt: num(s[f.lastSuccessAt]),
          lastFailureAt: num(s[f.lastFailureAt]),
          lastError: s[f.lastError] ?? null,
          assignments: assignments.get(address) ?? [],
        };
      }),
    );
    return { broadcasters, apiError };
  }

  /** The workers' failing set: address -> since when. */
  private async failing(): Promise<Map<string, number>> {
    const flat = await this.redis.zrange(this.keys.broadcastersFailing(), 0, -1, 'WITHSCORES');
    return new Map(scoredMembers(flat).map(([address, since]) => [normalize(address), since]));
  }

  /** Every per-broadcaster stats hash the workers wrote, by address. */
  private async allStats(): Promise<Map<string, Record<string, string>>> {
    const out = new Map<string, Record<string, string>>();
    const pattern = this.keys.broadcasterStats('*');
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 200);
      cursor = next;
      for (const key of keys) {
        const hash = await this.redis.hgetall(key);
        const address = hash[BROADCASTER_STATS_FIELDS.address] ?? decodeURIComponent(key.split(':').slice(-2, -1)[0] ?? '');
        if (address) out.set(normalize(address), hash);
      }
    } while (cursor !== '0');
    return out;
  }

  /** broadcaster -> live session ids assigned to it. */
  private async assignments(): Promise<Map<string, string[]>> {
    const live = await this.sessions.live();
    const out = new Map<string, string[]>();
    if (live.length === 0) return out;
    const assigned = await this.redis.mget(live.map((s) => this.keys.sessionBroadcaster(s.id)));
    live.forEach((s, i) => {
      const address = assigned[i];
      if (address) out.set(normalize(address), [...(out.get(normalize(address)) ?? []), s.id]);
    });
    return out;
  }
}
