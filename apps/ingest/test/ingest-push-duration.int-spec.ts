import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { TestEnv, waitFor } from '@lib/testing';
import {
  IngestStack,
  createStream,
  encodePushSegments,
  ledgerOf,
  push,
  scrapeMetrics,
  sessionsOf,
  startIngestStack,
} from './ingest-harness';

/**
 * Pushed segments last what their media says (read in process; ffprobe once a session names
 * the codecs and size): a Content-Duration close to the probe is
 * accepted but the ledger keeps the probed duration; one far from it is refused with a 422
 * that names both values, and the session goes on.
 */
describe('ingest: HTTP push durations come from the media', () => {
  let env: TestEnv;
  let stack: IngestStack;

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'ingest-push-duration' });
    stack = await startIngestStack(env);
  });

  afterAll(async () => {
    await stack?.close();
    await env?.cleanup();
  });

  it('records the probed duration, and refuses a declared duration the media contradicts', async () => {
    const stream = await createStream(stack.vars, 'pushed', '--presets', 'P144p30fps16x9');
    const segments = await encodePushSegments(path.join(env.tmpDir, 'push'), 6);
    const url = (seq: number) => `${stack.ingest.url}/live/${stream.streamKey}/${seq}.ts`;
    const body = (seq: number) => readFile(segments[seq].file);

    const close = await push(url(0), await body(0), { 'Content-Duration': String(segments[0].durationMs + 150) });
    const lie = await push(url(1), await body(1), { 'Content-Duration': '8000' });
    const undeclared = await push(url(1), await body(1));

    expect(close.status).toBe(200);
    expect(lie.status).toBe(422);
    expect(lie.text).toMatch(
      new RegExp(`^Content-Duration 8000 ms does not match the segment's media duration of ${segments[1].durationMs} ms`),
    );
    expect(undeclared.status).toBe(200);

    const [session] = await sessionsOf(stack.db, stream.id);
    const rows = await waitFor(
      async () => {
        const r = await ledgerOf(stack.db, session.id);
        return r.length === 2 && r.every((row) => row.state === 'queued') ? r : null;
      },
      { what: 'two queued segments', timeoutMs: 20_000 },
    );
    // What the media measures (its video, as ffprobe reads it: encodePushSegments), not the declared 150 ms more.
    expect(rows.map((r) => r.durationMs)).toEqual([segments[0].durationMs, segments[1].durationMs]);
    expect((await sessionsOf(stack.db, stream.id))[0].state).not.toBe('failed');
    // Three pushes of one encoding: ffprobe ran for the first only, the others were read in process.
    const value = await scrapeMetrics(stack);
    expect(value(/^ingest_push_full_probes_total\{[^}]*\} (\d+)/m)).toBe(1);
  });
});
