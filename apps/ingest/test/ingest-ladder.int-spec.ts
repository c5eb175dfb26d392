import path from 'node:path';
import { readFile } from 'node:fs/promises';
import { DEV_LIVEPEER_API_KEY } from '@lib/config';
import { LivepeerApiClient, RELAY_DEFAULT_PRESETS } from '@lib/livepeer';
import { TestEnv } from '@lib/testing';
import { IngestStack, awaitSession, createStream, encodePushSegments, push, startIngestStack } from './ingest-harness';

/**
 * The ladder a publish asks Livepeer for is always the full one the relay means (never the API's
 * default), and the session's renditions are learned from the answer whatever the API's dialect:
 * today's answers carry a `renditions` map, an older API's carry none (livepeer-local legacy).
 */
describe.each(['current', 'legacy'] as const)('ingest: the ladder sent to a %s Livepeer API', (dialect) => {
  let env: TestEnv;
  let stack: IngestStack;
  let client: LivepeerApiClient;
  let bodies: Buffer[];

  beforeAll(async () => {
    env = await TestEnv.create({ name: `ingest-ladder-${dialect}` });
    stack = await startIngestStack(env, {}, { LIVEPEER_LOCAL_DIALECT: dialect });
    client = new LivepeerApiClient({ apiUrl: `${stack.livepeer.url}/api`, apiKey: DEV_LIVEPEER_API_KEY });
    const segments = await encodePushSegments(path.join(env.tmpDir, 'push'), 2);
    bodies = await Promise.all(segments.map((s) => readFile(s.file)));
  });

  afterAll(async () => {
    await stack?.close();
    await env?.cleanup();
  });

  async function liveSession(...ladder: string[]) {
    const stream = await createStream(stack.vars, `ladder-${dialect}`, ...ladder);
    expect((await push(`${stack.ingest.url}/live/${stream.streamKey}/0.ts`, bodies[0])).status).toBe(200);
    return awaitSession(stack.db, stream, { state: 'live', timeoutMs: 20_000 });
  }

  it('sends the relay default ladder, as profiles, for a stream without one, and republishes exactly those', async () => {
    const session = await liveSession();
    const stored = await client.getStream(session.livepeerStreamId!);
    expect(stored.profiles.map((p) => p.name)).toEqual([...RELAY_DEFAULT_PRESETS]);
    expect(Object.keys(session.renditions ?? {})).toEqual([...RELAY_DEFAULT_PRESETS]);
    expect(session.profiles?.map((p) => p.name)).toEqual([...RELAY_DEFAULT_PRESETS]);
    expect(session.stateReason).toBeNull();
  });

  it('expands presets into profiles, so the API stores sizes and rates, not names it may not know', async () => {
    const session = await liveSession('--presets', 'P144p30fps16x9');
    const stored = await client.getStream(session.livepeerStreamId!);
    expect(stored.profiles).toEqual([{ name: 'P144p30fps16x9', width: 256, height: 144, bitrate: 400_000, fps: 30 }]);
    expect(session.renditions).toEqual({ P144p30fps16x9: `/stream/${session.livepeerStreamId}/P144p30fps16x9.m3u8` });
  });
});
