import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { InjectConfig, type ConfigOf, workerConfig } from '@lib/config';
import { REDIS, REDIS_KEYS, type RedisKeys } from '@lib/queue';
import { AssignmentView, chooseBroadcaster, mergeFailures } from './assignment-policy';
import { BroadcasterDirectory } from './broadcaster-directory';

/**
 * An assignment is refreshed on every read, so it only expires once its session has been
 * idle this long (ingest stops enqueuing when a publish ends; nothing deletes keys by hand).
 */
const ASSIGNMENT_IDLE_TTL_MS = 60 * 60 * 1000;

/**
 * Atomic compare-and-set of a session's broadcaster: KEYS[1] = assignment key,
 * ARGV = expected ('' = unset), next, ttl ms. Returns {1, next} when this caller moved the
 * session, {0, winner} when another worker moved it first (the caller then follows it).
 */
const COMPARE_AND_SET = `
local current = redis.call('GET', KEYS[1])
if (current == false and ARGV[1] == '') or current == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  return {1, ARGV[2]}
end
return {0, current or ''}
`;

interface CasRedis extends Redis {
  relayAssignmentCas(key: string, expected: string, next: string, ttlMs: number): Promise<[number, string]>;
}

export interface Resolution {
  address: string;
  /** Every candidate failed recently: pause before retrying on it. */
  degraded: boolean;
  /** Set when this call moved the session (from null = first assignment). */
  movedFrom?: string | null;
  /** A one-off choice around `detourFrom`: the session's assignment was left as it is. */
  detour?: boolean;
}

/**
 * The broadcaster assignment of each session, shared by every worker through Redis
 * (keys from libs/queue redisKeys):
 * - `sessionBroadcaster(s)`: the current broadcaster, read by every job, so a move made by
 *   one worker is followed by all from their next segment;
 * - `sessionBadBroadcasters(s)`: a sorted set address -> time it failed this session;
 * - `broadcasterCooldown(a)`: present (value = time of failure) while every worker avoids `a`.
 * Moves go through a compare-and-set, so two workers that see the same failure at once
 * agree on one new broadcaster instead of flipping the session back and forth.
 */
@Injectable()
export class BroadcasterAssignments {
  private readonly logger = new Logger(BroadcasterAssignments.name);
  private readonly redis: CasRedis;

  constructor(
    @Inject(REDIS) redis: Redis,
    @Inject(REDIS_KEYS) private readonly keys: RedisKeys,
    @InjectConfig(workerConfig) private readonly config: ConfigOf<typeof workerConfig>,
    private readonly directory: BroadcasterDirectory,
  ) {
    if (!('relayAssignmentCas' in redis)) redis.defineCommand('relayAssignmentCas', { numberOfKeys: 1, lua: COMPARE_AND_SET });
    this.redis = redis as CasRedis;
  }

  /** What every worker knows about a session's broadcaster, in one round trip. */
  async view(sessionId: string, now = Date.now()): Promise<AssignmentView> {
    const offered = await this.directory.list();
    const pipeline = this.redis
      .pipeline()
      .getex(this.keys.sessionBroadcaster(sessionId), 'PX', ASSIGNMENT_IDLE_TTL_MS)
      .zrangebyscore(this.keys.sessionBadBroadcasters(sessionId), now - this.config.sessionBanMs, '+inf', 'WITHSCORES');
    if (offered.length) pipeline.mget(...offered.map((a) => this.keys.broadcasterCooldown(a)));
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err);
    if (failed) throw failed[0];
    const current = (results[0][1] as string | null) ?? null;
    const bad = pairs(results[1][1] as string[]);
    const cooling = offered.length
      ? (results[2][1] as (string | null)[]).flatMap((at, i): [string, number][] => (at ? [[offered[i], Number(at)]] : []))
      : [];
    return { current, offered, avoided: mergeFailures(bad, cooling) };
  }

  /**
   * The broadcaster for a session's next push. Keeps the current one when it is fine, else
   * moves the session (compare-and-set); when another worker moved it first, follows that.
   * Null when no broadcaster is known at all.
   *
   * `detourFrom`: when the choice would be that broadcaster, another one is picked for this
   * push only (the assignment stays: the detour says nothing about the broadcaster's health).
   * When there is no other, the choice stands.
   */
  async resolve(sessionId: string, detourFrom?: string): Promise<Resolution | null> {
    const strategy = { mode: this.directory.ordered ? ('ordered' as const) : ('random' as const) };
    // Two rounds at most: a lost race is settled by following the winner, unless the key
    // vanished in between (expiry), in which case the choice is made again.
    for (let round = 0; round < 2; round++) {
      const view = await this.view(sessionId);
      const choice = chooseBroadcaster(view, strategy);
      if (!choice) return null;
      if (detourFrom !== undefined && choice.address === detourFrom) {
        const around = chooseBroadcaster(avoiding(view, detourFrom), strategy);
        if (around && around.address !== detourFrom) return { address: around.address, degraded: around.degraded, detour: true };
      }
      if (!choice.reassign) return { address: choice.address, degraded: choice.degraded };
      const [won, winner] = await this.redis.relayAssignmentCas(
        this.keys.sessionBroadcaster(sessionId),
        view.current ?? '',
        choice.address,
        ASSIGNMENT_IDLE_TTL_MS,
      );
      if (won === 1) {
        this.logger.log(
          { sessionId, from: view.current, to: choice.address, degraded: choice.degraded },
          view.current ? 'session reassigned' : 'session assigned',
        );
        return { address: choice.address, degraded: choice.degraded, movedFrom: view.current };
      }
      if (winner) return { address: winner, degraded: false };
    }
    return null;
  }

  /**
   * The broadcaster failed this session: avoid it for the session, and for everyone for a
   * cool-down, unless `sessionOnly` (it refused a new session for its session limit: the
   * sessions it holds are served, and moving them would only fill the others).
   */
  async reportFailure(sessionId: string, address: string, at = Date.now(), sessionOnly = false): Promise<void> {
    const bad = this.keys.sessionBadBroadcasters(sessionId);
    const transaction = this.redis
      .multi()
      .zadd(bad, at, address)
      .zremrangebyscore(bad, '-inf', at - this.config.sessionBanMs)
      .pexpire(bad, this.config.sessionBanMs);
    if (!sessionOnly) transaction.set(this.keys.broadcasterCooldown(address), String(at), 'PX', this.config.broadcasterCooldownMs);
    await transaction.exec();
  }

  /**
   * A broadcaster that was being avoided delivered: it has recovered, so every worker may
   * use it again at once instead of waiting out its cool-down.
   */
  async reportRecovery(sessionId: string, address: string): Promise<void> {
    await this.redis.multi().del(this.keys.broadcasterCooldown(address)).zrem(this.keys.sessionBadBroadcasters(sessionId), address).exec();
  }

  /** The session's broadcaster without touching it (admin views, tests). */
  current(sessionId: string): Promise<string | null> {
    return this.redis.get(this.keys.sessionBroadcaster(sessionId));
  }
}

/** The view with `address` avoided as the latest failure of all, so any other is preferred to it. */
function avoiding(view: AssignmentView, address: string): AssignmentView {
  const latest = Math.max(Date.now(), ...view.avoided.values()) + 1;
  return { ...view, avoided: mergeFailures(view.avoided, [[address, latest]]) };
}

/** ZRANGE ... WITHSCORES answers [member, score, member, score, ...]. */
function pairs(flat: string[]): [string, number][] {
  const out: [string, number][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i], Number(flat[i + 1])]);
  return out;
}
