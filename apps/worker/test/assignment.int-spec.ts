/**
 * Broadcaster assignment against a real Redis, with several BroadcasterAssignments
 * instances on separate connections standing for separate worker processes. The broadcaster
 * list comes from the shared Redis cache the directory reads first (filled here, as another
 * worker would have), so no Livepeer API is involved.
 */
import Redis from 'ioredis';
import { randomUUID } from 'node:crypto';
import { livepeerConfig, workerConfig } from '@lib/config';
import { redisKeys } from '@lib/queue';
import { TEST_REDIS_URL, TestEnv, sleep } from '@lib/testing';
import { BroadcasterAssignments } from '../src/broadcasters/assignment.service';
import { BroadcasterDirectory } from '../src/broadcasters/broadcaster-directory';

const A = 'http://127.0.0.1:1';
const B = 'http://127.0.0.1:2';
const C = 'http://127.0.0.1:3';
const COOLDOWN_MS = 400;

describe('broadcaster assignment (Redis)', () => {
  let env: TestEnv;
  const clients: Redis[] = [];
  let keys: ReturnType<typeof redisKeys>;

  /** One "worker": its own Redis connection, directory and assignment service. */
  function worker(): BroadcasterAssignments {
    const redis = new Redis(TEST_REDIS_URL);
    clients.push(redis);
    const vars = env.vars({
      BROADCASTER_COOLDOWN_MS: COOLDOWN_MS,
      BROADCASTER_SESSION_BAN_MS: 5000,
      LIVEPEER_API_URL: 'http://127.0.0.1:9/api',
    });
    const config = workerConfig.load(vars);
    const directory = new BroadcasterDirectory(livepeerConfig.load(vars), config, redis, keys);
    return new BroadcasterAssignments(redis, keys, config, directory);
  }

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'worker-assignment', s3: false });
    keys = redisKeys(env.id);
    const redis = new Redis(TEST_REDIS_URL);
    clients.push(redis);
    await redis.set(keys.broadcasterList(), JSON.stringify([A, B, C]), 'PX', 600_000);
  });

  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await env.cleanup();
  });

  it('two workers assigning a new session at once agree on one broadcaster', async () => {
    const session = randomUUID();
    const workers = Array.from({ length: 6 }, worker);
    const results = await Promise.all(workers.map((w) => w.resolve(session)));
    const addresses = new Set(results.map((r) => r!.address));
    expect(addresses.size).toBe(1);
    expect(results.filter((r) => r!.movedFrom === null)).toHaveLength(1);
    expect(await workers[0].current(session)).toBe([...addresses][0]);
  });

  it('after a failure seen by two workers at once, both follow one new broadcaster (compare-and-set)', async () => {
    const session = randomUUID();
    const [w1, w2, w3] = [worker(), worker(), worker()];
    const first = (await w1.resolve(session))!.address;
    await Promise.all([w1.reportFailure(session, first), w2.reportFailure(session, first)]);
    const [r1, r2] = await Promise.all([w1.resolve(session), w2.resolve(session)]);
    expect(r1!.address).toBe(r2!.address);
    expect(r1!.address).not.toBe(first);
    expect([r1, r2].filter((r) => r!.movedFrom === first)).toHaveLength(1);
    // A third worker that saw nothing follows from its next segment.
    expect((await w3.resolve(session))!.address).toBe(r1!.address);
  });

  it('a cool-down set by one worker moves other sessions away from that broadcaster', async () => {
    const [w1, w2] = [worker(), worker()];
    const s1 = randomUUID();
    const s2 = randomUUID();
    const shared = (await w1.resolve(s1))!.address;
    // Put s2 on the same broadcaster, as an earlier random pick could have.
    await clients[0].set(keys.sessionBroadcaster(s2), shared);
    await w1.reportFailure(s1, shared);
    const moved = await w2.resolve(s2);
    expect(moved!.address).not.toBe(shared);
    expect(moved!.movedFrom).toBe(shared);
  });

  it('a session-limit refusal moves only that session: the sessions the broadcaster holds stay', async () => {
    const [w1, w2] = [worker(), worker()];
    const s1 = randomUUID();
    const s2 = randomUUID();
    const shared = (await w1.resolve(s1))!.address;
    await clients[0].set(keys.sessionBroadcaster(s2), shared);
    await w1.reportFailure(s1, shared, Date.now(), true);
    expect(await clients[0].exists(keys.broadcasterCooldown(shared))).toBe(0);
    expect((await w2.resolve(s2))!.address).toBe(shared);
    const moved = await w1.resolve(s1);
    expect(moved!.address).not.toBe(shared);
  });

  it('when every broadcaster failed, bets degraded on the one that failed longest ago', async () => {
    const w = worker();
    const session = randomUUID();
    await w.resolve(session);
    const now = Date.now();
    await w.reportFailure(session, B, now - 300);
    await w.reportFailure(session, A, now - 200);
    await w.reportFailure(session, C, now - 100);
    const choice = await w.resolve(session);
    expect(choice).toMatchObject({ address: B, degraded: true });
  });

  it('a cool-down ends: new sessions may use the broadcaster again, sessions moved away stay put', async () => {
    const w = worker();
    const session = randomUUID();
    const first = (await w.resolve(session))!.address;
    await w.reportFailure(session, first);
    const moved = (await w.resolve(session))!.address;
    await sleep(COOLDOWN_MS + 100);
    const view = await w.view(randomUUID());
    expect(view.avoided.has(first)).toBe(false);
    expect((await w.resolve(session))!.address).toBe(moved);
  });
});
