import { Inject, Injectable, Logger } from '@nestjs/common';
import type Redis from 'ioredis';
import { InjectConfig, type ConfigOf, admissionConfig, ingestConfig } from '@lib/config';
import { REDIS, REDIS_KEYS, type RedisKeys } from '@lib/queue';
import { withTimeout } from '@lib/timing';
import { type AdmissionVerdict, type RefusalReason, backlogVerdict, capacityRefusal, sessionLimit } from './admission-decision';
import { LoadReader } from './load-reader';

const REDIS_TIMEOUT_MS = 2000;

/**
 * Takes a slot when fewer than ARGV[4] are held (-1: no limit), atomically, so a storm of
 * connects on several ingest copies never overshoots. KEYS[1] = slots (session id -> expiry),
 * ARGV = now, expiry, session id, limit. Returns {admitted 0|1, slots held}.
 */
const RESERVE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
local live = redis.call('ZCARD', KEYS[1])
if redis.call('ZSCORE', KEYS[1], ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
  return {1, live}
end
local limit = tonumber(ARGV[4])
if limit >= 0 and live >= limit then return {0, live} end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.max(1, tonumber(ARGV[2]) - tonumber(ARGV[1])))
return {1, live + 1}`;

/** Thrown by admit(): the relay cannot serve one more publish now. */
export class AdmissionRefusedError extends Error {
  constructor(
    readonly reason: RefusalReason,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'AdmissionRefusedError';
  }
}

/**
 * Admission control: one slot per live publish across every ingest copy (a Redis sorted set
 * whose entries expire with the publish lock's TTL unless renewed), counted against the
 * smallest of MAX_LIVE_SESSIONS and the broadcasters' capacity; refused too while the upload
 * queue is backed up. The publish lock keeps one publish per stream key; this keeps the
 * publishes to what the transcoding side can carry.
 */
@Injectable()
export class AdmissionService {
  private readonly logger = new Logger(AdmissionService.name);
  private readonly slotTtlMs: number;

  constructor(
    private readonly load: LoadReader,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(REDIS_KEYS) private readonly keys: RedisKeys,
    @InjectConfig(admissionConfig) private readonly settings: ConfigOf<typeof admissionConfig>,
    @InjectConfig(ingestConfig) ingest: ConfigOf<typeof ingestConfig>,
  ) {
    this.slotTtlMs = ingest.publishLockTtlMs;
  }

  /** Takes the session's slot, or throws AdmissionRefusedError with what the publisher is told. */
  async admit(sessionId: string, now = Date.now()): Promise<void> {
    const snapshot = await this.load.snapshot(now);
    const backlog = backlogVerdict(snapshot, this.settings);
    if (!backlog.admit) throw this.refusal(backlog);
    const limit = sessionLimit(snapshot, this.settings);
    const result = (await withTimeout(
      this.redis.eval(RESERVE, 1, this.keys.admissionSlots(), now, now + this.slotTtlMs, sessionId, limit ? limit.limit : -1),
      REDIS_TIMEOUT_MS,
      'admission slot',
    )) as [number, number];
    if (Number(result[0]) === 1) return;
    throw this.refusal(capacityRefusal(Number(result[1]), limit!));
  }

  /** Keeps a live publish's slot (re-taken if Redis lost it: a live publish is never evicted). */
  async renew(sessionId: string, now = Date.now()): Promise<void> {
    await withTimeout(this.redis.zadd(this.keys.admissionSlots(), now + this.slotTtlMs, sessionId), REDIS_TIMEOUT_MS, 'admission renew');
  }

  async release(sessionId: string): Promise<void> {
    await withTimeout(this.redis.zrem(this.keys.admissionSlots(), sessionId), REDIS_TIMEOUT_MS, 'admission release');
  }

  /** Slots held now (expired ones excluded), for tests and logs. */
  async liveCount(now = Date.now()): Promise<number> {
    return this.redis.zcount(this.keys.admissionSlots(), now, '+inf');
  }

  private refusal(verdict: AdmissionVerdict & { admit: false }): AdmissionRefusedError {
    this.logger.debug({ reason: verdict.reason }, verdict.message);
    return new AdmissionRefusedError(verdict.reason, verdict.message, this.settings.retryAfterSeconds);
  }
}
