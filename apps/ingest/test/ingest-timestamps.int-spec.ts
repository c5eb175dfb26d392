import path from 'node:path';
import { TestEnv, waitFor } from '@lib/testing';
import { IngestStack, createStream, ledgerOf, sessionsOf, startIngestStack } from './ingest-harness';
import { RecordedTag, publishRecordedTags, recordFlvTags } from './rtmp-flv-publisher';

const MEDIA_SECONDS = 12;
const JUMP_AT_MS = 6000;
const HOURS_3 = 3 * 3600_000;

/**
 * A publisher whose clock jumps mid-stream (backwards by hours, forwards by an hour): the
 * media time ingest cuts stays continuous, so every second of the publish becomes a queued
 * segment in one session, and the jump is logged. Tags are written over RTMP by hand.
 */
describe('ingest: publisher timestamps that jump', () => {
  let env: TestEnv;
  let stack: IngestStack;
  let tags: RecordedTag[];

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'ingest-timestamps' });
    stack = await startIngestStack(env);
    tags = await recordFlvTags(path.join(env.tmpDir, 'recorded.flv'), MEDIA_SECONDS);
  });

  afterAll(async () => {
    await stack?.close();
    await env?.cleanup();
  });

  async function publishWithJump(name: string, timestampOf: (tag: RecordedTag) => number) {
    const stream = await createStream(stack.vars, name, '--presets', 'P144p30fps16x9');
    await publishRecordedTags(stack.rtmpPort, stream.streamKey, tags, timestampOf);
    const session = await waitFor(
      async () => {
        const s = (await sessionsOf(stack.db, stream.id))[0];
        return s && (s.state === 'ended' || s.state === 'failed') ? s : null;
      },
      { what: `${name} session ended`, timeoutMs: 30_000 },
    );
    const rows = await waitFor(
      async () => {
        const r = await ledgerOf(stack.db, session.id);
        return r.length > 0 && r.every((row) => row.state !== 'ingested') ? r : null;
      },
      { what: `${name} segments settled`, timeoutMs: 20_000 },
    );
    return { stream, session, rows, sessions: await sessionsOf(stack.db, stream.id) };
  }

  function expectWholeStream(result: Awaited<ReturnType<typeof publishWithJump>>) {
    const { session, rows, sessions } = result;
    expect(sessions).toHaveLength(1);
    expect(session).toMatchObject({ state: 'ended', stateReason: null });
    expect(rows.map((r) => [r.seq, r.state])).toEqual(rows.map((_, i) => [i, 'queued']));
    // every second of media is in a segment: the jump cost at most one frame
    const total = rows.reduce((sum, r) => sum + r.durationMs, 0);
    expect(Math.abs(total - MEDIA_SECONDS * 1000)).toBeLessThan(400);
    // none hours long (a forward jump left in would make one)
    for (const row of rows) expect(Math.round(row.durationMs / 1000)).toBeLessThanOrEqual(session.targetDuration);
    const jumps = stack.lines.filter((l) => l.includes('"event":"timestamp-jump"') && l.includes(session.id));
    expect(jumps).toHaveLength(1);
  }

  it('keeps the stream going when the timestamps jump back by three hours', async () => {
    const result = await publishWithJump('backwards', (tag) =>
      tag.timestamp < JUMP_AT_MS ? HOURS_3 + tag.timestamp : tag.timestamp - JUMP_AT_MS,
    );
    expectWholeStream(result);
  });

  it('keeps the stream going when the timestamps jump forward by an hour', async () => {
    const result = await publishWithJump('forwards', (tag) => (tag.timestamp < JUMP_AT_MS ? tag.timestamp : tag.timestamp + 3600_000));
    expectWholeStream(result);
  });
});
