import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { TestEnv, publishTestPattern, waitFor } from '@lib/testing';
import { CreatedStream, IngestStack, createStream, ledgerOf, rtmpUrl, sessionsOf, startIngest, startIngestStack } from './ingest-harness';

const LOCK_TTL_MS = 3000;

/**
 * Ingest killed with SIGKILL mid-publish, then started again: the session it left `live` is
 * ended with a reason, the segment it left in its spool gets a ledger row with an outcome
 * (shipped, or dropped with a reason), and the stream can be published again. A
 * session whose spool is gone too (another machine's ingest died) is ended once its publish
 * lock has expired.
 */
describe('ingest: restart after SIGKILL', () => {
  let env: TestEnv;
  let stack: IngestStack;

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'ingest-restart' });
    stack = await startIngestStack(env, { INGEST_PUBLISH_LOCK_TTL_MS: LOCK_TTL_MS });
  });

  afterAll(async () => {
    await stack?.close();
    await env?.cleanup();
  });

  const spoolOf = (sessionId: string) => path.join(stack.vars.INGEST_SPOOL_DIR!, sessionId);

  /** Publishes, and SIGKILLs ingest mid-segment; returns the session and the segment files it left. */
  async function killMidPublish(stream: CreatedStream) {
    const publisher = publishTestPattern(
      { output: rtmpUrl(stack, stream.streamKey), seconds: 60, width: 320, height: 180 },
      `publisher-${stream.id}`,
    );
    const session = await waitFor(
      async () => {
        const s = (await sessionsOf(stack.db, stream.id)).at(-1);
        return s?.state === 'live' && (await ledgerOf(stack.db, s.id)).length >= 1 ? s : null;
      },
      { what: 'session live with a segment', timeoutMs: 30_000 },
    );
    // a second into the next segment: it is being cut, in the spool only
    await new Promise((r) => setTimeout(r, 1000));
    stack.ingest.proc.kill('SIGKILL');
    expect((await stack.ingest.proc.exited).signal).toBe('SIGKILL');
    await publisher.stop();
    // what was cut of the open segment is in the spool already (flushed every half second)
    const left = await waitFor(
      async () => {
        const files = (await readdir(spoolOf(session.id)).catch(() => [] as string[])).filter((f) => /^\d+\.ts$/.test(f));
        return files.length ? files.map((f) => Number(f.slice(0, -3))) : null;
      },
      { what: 'a segment left in the spool', timeoutMs: 10_000 },
    );
    return { session, left };
  }

  async function restart(): Promise<void> {
    const restarted = await startIngest(stack.vars);
    stack.ingest = restarted.ingest;
    stack.rtmpPort = restarted.rtmpPort;
    stack.lines = restarted.lines;
  }

  it('ends the session it left live, records the spooled segment, and frees the stream', async () => {
    const stream = await createStream(stack.vars, 'killed', '--presets', 'P144p30fps16x9');
    const { session, left } = await killMidPublish(stream);
    expect((await sessionsOf(stack.db, stream.id))[0].state).toBe('live');

    await restart();
    const ended = await waitFor(
      async () => {
        const s = (await sessionsOf(stack.db, stream.id))[0];
        return s.state === 'ended' ? s : null;
      },
      { what: 'old session ended', timeoutMs: 20_000 },
    );
    expect(ended.stateReason).toBe('ingest restarted');

    const rows = await waitFor(
      async () => {
        const r = await ledgerOf(stack.db, session.id);
        return left.every((seq) => r.some((row) => row.seq === seq && row.state !== 'ingested')) ? r : null;
      },
      { what: 'spooled segments settled', timeoutMs: 30_000 },
    );
    expect(rows.map((r) => r.seq)).toEqual(rows.map((_, i) => i));
    for (const seq of left) {
      const row = rows.find((r) => r.seq === seq)!;
      if (row.state === 'dropped')
        expect({ seq, reason: row.dropReason, detail: row.dropDetail }).toMatchObject({
          reason: 'ingest-restarted',
          detail: expect.stringMatching(/dead ingest process/),
        });
      else expect(row.state).toBe('queued');
    }
    await waitFor(async () => (await readdir(spoolOf(session.id)).catch(() => null)) === null, {
      what: 'spool directory removed',
      timeoutMs: 10_000,
    });
    expect(stack.lines.some((l) => l.includes('"event":"spool-recovered"') && l.includes(session.id))).toBe(true);

    // the stream is not left locked: the publisher's reconnect opens a new session
    const again = publishTestPattern({ output: rtmpUrl(stack, stream.streamKey), seconds: 3, width: 320, height: 180 }, 'again');
    const second = await waitFor(async () => (await sessionsOf(stack.db, stream.id))[1], { what: 'second session', timeoutMs: 10_000 });
    expect(second.id).not.toBe(session.id);
    expect(await again.exited).toEqual({ code: 0, signal: null });
  });

  it('ends a session whose spool is gone too once its publish lock has expired', async () => {
    const stream = await createStream(stack.vars, 'elsewhere', '--presets', 'P144p30fps16x9');
    const { session } = await killMidPublish(stream);
    // as if it had been published through another machine's ingest: nothing of it here
    await rm(spoolOf(session.id), { recursive: true, force: true });

    await restart();
    const ended = await waitFor(
      async () => {
        const s = (await sessionsOf(stack.db, stream.id))[0];
        return s.state === 'ended' ? s : null;
      },
      { what: 'orphan session ended', timeoutMs: LOCK_TTL_MS * 6 },
    );
    expect(ended.stateReason).toBe('ingest restarted: its publish lock expired');
    expect(ended.endedAt! - session.startedAt).toBeGreaterThanOrEqual(LOCK_TTL_MS);
  });
});
