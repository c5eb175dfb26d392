import { ManagedProcess } from '@lib/runtime';
import { TestEnv, publishTestPattern, testPatternArgs, waitFor } from '@lib/testing';
import { CreatedStream, IngestStack, createStream, ledgerOf, rtmpUrl, sessionsOf, startIngestStack } from './ingest-harness';

/**
 * A session's target duration is measured from what the publisher sends: with 1 s segments
 * (SEGMENT_TARGET_SECONDS=1), a 1 s GOP gives 1 s segments and a target duration of 1, a 2 s
 * GOP 2 s segments and 2. A GOP that grows mid-stream ends the publish at the first segment
 * longer than the target duration, which is dropped, not uploaded.
 */
describe('ingest: target duration per session', () => {
  let env: TestEnv;
  let stack: IngestStack;
  const streams: Record<string, CreatedStream> = {};
  const publishers: Record<string, ManagedProcess> = {};

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'ingest-td' });
    stack = await startIngestStack(env, { SEGMENT_TARGET_SECONDS: 1 });
    for (const name of ['gop1', 'gop2', 'growing']) streams[name] = await createStream(stack.vars, name, '--presets', 'P144p30fps16x9');
    const pattern = { seconds: 6, width: 320, height: 180 };
    publishers.gop1 = publishTestPattern({ ...pattern, output: rtmpUrl(stack, streams.gop1.streamKey), gopSeconds: 1 }, 'gop1');
    publishers.gop2 = publishTestPattern({ ...pattern, output: rtmpUrl(stack, streams.gop2.streamKey), gopSeconds: 2 }, 'gop2');
    // Keyframes every second until 4 s, then every 3 s.
    const args = testPatternArgs({ ...pattern, seconds: 12, output: rtmpUrl(stack, streams.growing.streamKey), gopSeconds: 100 });
    args.splice(args.indexOf('-sc_threshold'), 0, '-force_key_frames', 'expr:if(lt(t,4.5),gte(t,n_forced),gte(t,4+3*(n_forced-4)))');
    publishers.growing = new ManagedProcess({ name: 'growing', command: 'ffmpeg', args });
  });

  afterAll(async () => {
    for (const p of Object.values(publishers)) p.kill();
    await stack?.close();
    await env?.cleanup();
  });

  const endedSession = (name: string) =>
    waitFor(
      async () => {
        const [session] = await sessionsOf(stack.db, streams[name].id);
        return session?.state === 'ended' ? session : null;
      },
      { what: `${name} session ended`, timeoutMs: 30_000 },
    );

  it.each([
    ['gop1', 1],
    ['gop2', 2],
  ])('%s: segments of the GOP and a target duration of %i s', async (name, seconds) => {
    expect(await publishers[name].exited).toEqual({ code: 0, signal: null });
    const session = await endedSession(name);
    expect(session).toMatchObject({ stateReason: null, targetDuration: seconds });
    expect(session.source).toMatchObject({ keyframeIntervalSec: seconds });
    const rows = await waitFor(
      async () => {
        const found = await ledgerOf(stack.db, session.id);
        return found.length && found.every((r) => r.state === 'queued') ? found : null;
      },
      { what: `${name} segments queued` },
    );
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i));
    expect(rows.length).toBeGreaterThanOrEqual(6 / seconds - 1);
    for (const row of rows.slice(0, -1))
      expect(Math.abs(row.durationMs - seconds * 1000), `${name} seq ${row.seq}`).toBeLessThanOrEqual(100);
    expect(rows.at(-1)!.durationMs).toBeLessThanOrEqual(seconds * 1000 + 100);
  });

  it('ends a publish whose GOP grows past the target duration, dropping the longer segment', async () => {
    const session = await endedSession('growing');
    expect(session.targetDuration).toBe(1);
    expect(session.stateReason).toMatch(/^segment 4 lasted 3(\.\d+)? s, longer than the session's target duration of 1 s/);
    await waitFor(() => (publishers.growing.running ? null : true), { what: 'the growing-GOP publisher hung up on', timeoutMs: 10_000 });

    const rows = await ledgerOf(stack.db, session.id);
    expect(rows.slice(0, 4).map((r) => [r.seq, r.state])).toEqual([0, 1, 2, 3].map((seq) => [seq, 'queued']));
    expect(rows[4]).toMatchObject({ seq: 4, state: 'dropped', dropReason: 'over-target-duration' });
    expect(await stack.storage.stat(rows[4].objectKey)).toBeNull();
    expect(rows.slice(4).every((r) => r.state === 'queued' || r.dropReason === 'over-target-duration')).toBe(true);
    expect(stack.lines.some((line) => line.includes('"event":"segment-over-target"'))).toBe(true);
  });
});
