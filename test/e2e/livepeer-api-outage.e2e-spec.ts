import { freePort } from '@lib/runtime';
import { spawnApp, waitFor, type RunningApp } from '@lib/testing';
import { CreatedStream, Pipeline, checkOutcome } from './support/pipeline';

/**
 * The Livepeer API down for 20 s while a stream is live. The relay runs as `npm start` does behind
 * an outside API with livepeer-local's broadcasters only (LIVEPEER_LOCAL_MODE=broadcasters); the
 * outside API (another livepeer-local, API only, listing those broadcasters) is stopped once
 * segment 4 is ingested and started again 20 s later. The stream keeps republishing on the
 * broadcaster it has: the push path needs the API only for new sessions and the broadcaster list
 * (the last known one is kept).
 */
const FAULT_AT_SEQ = 4;
const OUTAGE_MS = 20_000;
const PUBLISH_SECONDS = 36;

describe('fault: the Livepeer API down for 20 s while a stream is live', () => {
  let pipeline: Pipeline;
  let outside: RunningApp;
  let outsideEnv: NodeJS.ProcessEnv;
  let stream: CreatedStream;

  beforeAll(async () => {
    const apiPort = await freePort();
    const broadcasterPort = await freePort();
    const broadcasters = [broadcasterPort, broadcasterPort + 1].map((p) => `http://127.0.0.1:${p}`).join(',');
    outsideEnv = {
      ...process.env,
      LOG_FORMAT: 'json',
      LIVEPEER_LOCAL_PORT: String(apiPort),
      LIVEPEER_LOCAL_BROADCASTERS: '0',
      LIVEPEER_LOCAL_BROADCASTER_URLS: broadcasters,
      LIVEPEER_LOCAL_HEALTH_INTERVAL_MS: '500',
    };
    outside = await spawnApp('livepeer-local', outsideEnv, { label: 'outside-api' });
    pipeline = await Pipeline.start({
      name: 'e2e-api-outage',
      transcodeMode: 'copy',
      extraEnv: {
        LIVEPEER_API_URL: `${outside.url}/api`,
        LIVEPEER_LOCAL_MODE: 'broadcasters',
        LIVEPEER_LOCAL_BROADCASTER_PORT: broadcasterPort,
      },
    });
    expect(pipeline.systemLog.some((l) => l.includes('broadcasters only'))).toBe(true);
    await waitFor(async () => (await pipeline.broadcasters()).length === 2, { timeoutMs: 30_000, what: 'the outside API to list both' });
  });
  afterAll(async () => {
    await pipeline?.stop();
    await outside?.proc.stop();
  });

  it('keeps republishing on the existing broadcaster, and the playlists valid', async () => {
    stream = await pipeline.createStream('api outage');
    const collector = pipeline.watch(stream);
    const liveWindows = [{ from: Date.now(), to: 0 }];
    const publisher = pipeline.publish(stream, PUBLISH_SECONDS);
    await waitFor(async () => (await pipeline.ingestedSeq(stream)) >= FAULT_AT_SEQ, {
      timeoutMs: 60_000,
      intervalMs: 300,
      what: 'segment 4',
    });

    await outside.proc.stop();
    const downAt = Date.now();
    const seqAtOutage = await pipeline.ingestedSeq(stream);
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    // While it was down, segments kept coming out of the relay.
    const [session] = await pipeline.sessions(stream);
    const timeline = await pipeline.timeline(session.id);
    const republishedDuringOutage = timeline.filter((s) => s.seq > seqAtOutage && s.state === 'republished').length;
    outside = await spawnApp('livepeer-local', outsideEnv, { label: 'outside-api' });
    console.log(`[fault] API down ${Date.now() - downAt} ms: ${republishedDuringOutage} segments republished meanwhile`);
    expect(republishedDuringOutage).toBeGreaterThanOrEqual(5);

    await publisher.exited;
    liveWindows[0].to = Date.now();
    await collector.untilEnded(120_000);
    const outcome = await checkOutcome(pipeline, stream, collector, {
      maxDrops: 2,
      liveWindows,
      stallFree: false,
      republishedAfter: { seq: FAULT_AT_SEQ, atLeast: 5 },
    });
    console.log(
      `[fault] API outage: ingested ${outcome.ingested}, republished ${outcome.republished}, drops ${JSON.stringify(outcome.drops)}`,
    );
  });
});
