import path from 'node:path';
import { ManagedProcess } from '@lib/runtime';
import { publishTestPattern } from '@lib/testing';
import { waitFor } from './support/faults';
import { Pipeline } from './support/pipeline';

/**
 * Admission control under a publish storm (apps/ingest/README.md, "Admission"): the system as
 * `npm start` runs it, two broadcasters of 3 sessions each (capacity 6), one stream live, then
 * 20 publishes at once. Five are taken, fifteen refused at connect time with the reason, and
 * the stream that was live loses nothing.
 */
const MAX_SESSIONS_PER_BROADCASTER = 3;
const STORM = 20;
const LIVE_SECONDS = 40;
const STORM_SECONDS = 16;
const CAPACITY_REFUSAL = 'Server error: the relay is at capacity: the broadcasters can transcode 6 sessions and 6 are live';

describe('admission: a publish storm against capacity for 6 sessions', () => {
  let pipeline: Pipeline;
  const publishers: ManagedProcess[] = [];

  beforeAll(async () => {
    pipeline = await Pipeline.start({
      name: 'e2e-admission',
      // No ffmpeg per push: the storm's load is on the relay, not on a shared machine's cores.
      transcodeMode: 'passthrough',
      extraEnv: { LIVEPEER_LOCAL_MAX_SESSIONS: MAX_SESSIONS_PER_BROADCASTER },
    });
  });
  afterAll(async () => {
    for (const p of publishers) p.kill();
    await pipeline?.stop();
  });

  it('takes what fits, refuses the rest with the reason, and the live stream loses nothing', async () => {
    const live = await pipeline.createStream('live before the storm');
    const collector = pipeline.watch(live);
    const livePublisher = pipeline.publish(live, LIVE_SECONDS, 'live');
    publishers.push(livePublisher);
    await waitFor(
      async () => {
        const [session] = await pipeline.sessions(live);
        return session ? (await pipeline.timeline(session.id)).some((e) => e.state === 'republished') : false;
      },
      { timeoutMs: 60_000, intervalMs: 300, what: 'the live stream republishing' },
    );

    // The storm's encoders send one file encoded beforehand (as fast to start as 20 encoders get).
    const file = path.join(pipeline.env.tmpDir, 'storm.flv');
    const encoded = await publishTestPattern(
      { output: file, format: 'flv', realtime: false, seconds: STORM_SECONDS, width: 160, height: 90 },
      'encode',
    ).exited;
    expect(encoded.code).toBe(0);
    const storm = await Promise.all(Array.from({ length: STORM }, (_, i) => pipeline.createStream(`storm ${i}`)));
    const stormPublishers = storm.map(
      (s, i) =>
        new ManagedProcess({
          name: `storm-${i}`,
          command: 'ffmpeg',
          args: [
            '-nostdin',
            '-hide_banner',
            '-loglevel',
            'error',
            '-re',
            '-i',
            file,
            '-c',
            'copy',
            '-f',
            'flv',
            `${pipeline.system.urls.rtmp}/${s.streamKey}`,
          ],
        }),
    );
    publishers.push(...stormPublishers);
    const exits = await Promise.all(stormPublishers.map((p) => p.exited));
    const refused = stormPublishers.filter((p) => p.tail().includes(CAPACITY_REFUSAL));
    const taken = stormPublishers.filter((_, i) => exits[i].code === 0);
    expect(refused.length, 'publishes refused for capacity').toBe(STORM - 5);
    expect(taken.length, 'publishes taken').toBe(5);
    // The refused ones never had a session: nothing half-started to clean up.
    for (const [i, s] of storm.entries()) {
      const sessions = await pipeline.sessions(s);
      expect(sessions.length, `storm ${i}`).toBe(refused.includes(stormPublishers[i]) ? 0 : 1);
    }

    await livePublisher.exited;
    await collector.untilEnded();
    expect(collector.watcher.violations(), 'HLS rule violations').toEqual([]);
    const [session] = await pipeline.sessions(live);
    await waitFor(async () => (await pipeline.timeline(session.id)).every((e) => e.state === 'republished' || e.state === 'dropped'), {
      timeoutMs: 60_000,
      what: 'every live segment settled',
    });
    const timeline = await pipeline.timeline(session.id);
    expect(timeline.length).toBeGreaterThanOrEqual(4);
    expect(
      timeline.filter((e) => e.state !== 'republished').map((e) => ({ seq: e.seq, state: e.state, reason: e.dropReason })),
      'live segments lost',
    ).toEqual([]);
    const skipped = timeline.filter((e) => Object.values(e.renditions).some((r) => r.state === 'dropped'));
    expect(
      skipped.map((e) => e.seq),
      'live segments skipped in a playlist',
    ).toEqual([]);

    // The streams taken in the storm were served too.
    for (const [i, s] of storm.entries()) {
      if (refused.includes(stormPublishers[i])) continue;
      const [taken] = await pipeline.sessions(s);
      await waitFor(async () => (await pipeline.timeline(taken.id)).every((e) => e.state === 'republished' || e.state === 'dropped'), {
        timeoutMs: 60_000,
        what: `storm ${i} settled`,
      });
      const lost = (await pipeline.timeline(taken.id)).filter((e) => e.state !== 'republished');
      console.log(`[admission] storm ${i}: ${lost.length} segments not republished ${JSON.stringify(lost.map((e) => e.dropReason))}`);
    }
  });
});
