import IORedis from 'ioredis';
import type { SyntheticSegment } from '@lib/media';
import { redisKeys } from '@lib/queue';
import { TEST_REDIS_URL, TestEnv, spawnApp, waitFor, type RunningApp } from '@lib/testing';
import { preferredOwner } from '../src/lease/rendezvous';
import { PlaylistWatcher, RelayFixture, stitcherEnv, type LivepeerLocal, type Publish, StitcherScene } from './helpers';

/**
 * One writer per playlist across stitcher copies: two copies split the live streams between
 * them; when one is killed, the other takes its streams over within a few seconds and their
 * media sequences go on. Both copies serve every stream (the playlists are in the object store).
 */
describe('stitcher copies sharing streams', () => {
  let env: TestEnv;
  let lp: LivepeerLocal;
  let fixture: RelayFixture;
  let segments: SyntheticSegment[];
  let scene: StitcherScene;
  const stitchers: RunningApp[] = [];
  const publishes: Publish[] = [];
  const watchers = new Map<string, PlaylistWatcher>();
  const redis = new IORedis(TEST_REDIS_URL);
  let members: string[] = [];

  const leaseOwner = (p: Publish) => redis.get(redisKeys(env.id).stitcherLease(p.stream.id));
  const listedEverywhere = (p: Publish, msn: number) =>
    ['low', 'source'].every((v) => watchers.get(p.stream.id)!.media.get(v)?.listed.has(msn));

  beforeAll(async () => {
    scene = await StitcherScene.start('stitcher-leases', { mediaSeconds: 4, mode: 'passthrough' });
    ({ env, lp, fixture, segments } = scene);
    for (let i = 0; i < 2; i++) stitchers.push(await spawnApp('stitcher', stitcherEnv(env, lp), { label: `stitcher-${i}` }));
    members = await waitFor(
      async () => {
        const list = await redis.zrange(redisKeys(env.id).stitcherMembers(), 0, -1);
        return list.length === 2 && list;
      },
      { what: 'both stitcher copies registered' },
    );
    // Streams until rendezvous hashing has given each copy at least two.
    const perOwner = new Map<string, number>();
    while (publishes.length < 4 || [...perOwner.values()].some((n) => n < 2) || perOwner.size < 2) {
      const stream = await fixture.createStream(`shared-${publishes.length}`, {
        profiles: [{ name: 'low', width: 256, height: 144, bitrate: 200_000, fps: 0 }],
      });
      const owner = preferredOwner(stream.id, members)!;
      perOwner.set(owner, (perOwner.get(owner) ?? 0) + 1);
      publishes.push(await fixture.startSession(stream));
      const watcher = new PlaylistWatcher(stitchers[publishes.length % 2].url, stream.playbackId, 2);
      watcher.start(150);
      watchers.set(stream.id, watcher);
    }
  });

  afterAll(async () => {
    for (const w of watchers.values()) w.stop();
    for (const s of stitchers) await s.proc.stop();
    redis.disconnect();
    await scene?.close();
  });

  async function publishAll(seqs: number[]) {
    for (const seq of seqs) for (const p of publishes) await fixture.publishSegment(p, seq, segments[seq % segments.length]);
  }

  it('splits the streams between the copies, one writer each', async () => {
    await publishAll([0, 1, 2]);
    for (const p of publishes) await waitFor(() => listedEverywhere(p, 2), { timeoutMs: 20_000, what: `stream ${p.stream.name} listed` });
    const owners = await Promise.all(publishes.map(leaseOwner));
    expect(new Set(owners)).toEqual(new Set(members));
    publishes.forEach((p, i) => expect(owners[i]).toBe(preferredOwner(p.stream.id, members)));
  });

  it("hands a killed copy's streams to the other within a few seconds, continuing their media sequences", async () => {
    const victim = stitchers[0];
    const victimId = members.find((m) => m.includes(`-${victim.proc.pid}-`))!;
    const survivor = stitchers[1];
    for (const w of watchers.values()) w.baseUrl = survivor.url;
    victim.proc.kill('SIGKILL');
    await victim.proc.exited;
    const killedAt = Date.now();

    // Takeover: every lease names the survivor once the dead copy's leases expired (TTL 2 s).
    const survivorId = members.find((m) => m !== victimId)!;
    await waitFor(async () => (await Promise.all(publishes.map(leaseOwner))).every((o) => o === survivorId), {
      timeoutMs: 15_000,
      intervalMs: 100,
      what: 'the survivor holding every lease',
    });
    expect(Date.now() - killedAt).toBeLessThan(8000);

    await publishAll([3, 4]);
    for (const p of publishes)
      await waitFor(() => listedEverywhere(p, 4), { timeoutMs: 20_000, what: `stream ${p.stream.name} after the kill` });
    for (const p of publishes) {
      const watcher = watchers.get(p.stream.id)!;
      for (const variant of ['low', 'source']) expect([...watcher.media.get(variant)!.listed].sort()).toEqual([0, 1, 2, 3, 4]);
      expect(watcher.violations()).toEqual([]);
    }
    const rows = await fixture.renditionRows.count();
    expect(rows).toBe(publishes.length * 5 * 2); // every segment recorded once per variant: no second writer
  });

  it('hands its streams over at once when a copy is stopped gracefully', async () => {
    const leaving = stitchers[1];
    const leavingId = (await redis.zrange(redisKeys(env.id).stitcherMembers(), 0, -1)).find((m) => m.includes(`-${leaving.proc.pid}-`))!;
    const joining = await spawnApp('stitcher', stitcherEnv(env, lp), { label: 'stitcher-2' });
    stitchers.push(joining);
    for (const w of watchers.values()) w.baseUrl = joining.url;
    await leaving.proc.stop();
    // Released on the way out, not left to expire: no lease names the stopped copy any more.
    const owners = await Promise.all(publishes.map(leaseOwner));
    expect(owners.filter((o) => o === leavingId)).toEqual([]);
    expect(await redis.zscore(redisKeys(env.id).stitcherMembers(), leavingId)).toBeNull();

    await publishAll([5]);
    for (const p of publishes)
      await waitFor(() => listedEverywhere(p, 5), { timeoutMs: 20_000, what: `stream ${p.stream.name} on the new copy` });
    for (const p of publishes) expect(watchers.get(p.stream.id)!.violations()).toEqual([]);
    expect(await fixture.renditionRows.count()).toBe(publishes.length * 6 * 2);
  });
});
