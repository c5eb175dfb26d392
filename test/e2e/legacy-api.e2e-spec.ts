import { RELAY_DEFAULT_PRESETS } from '@lib/livepeer';
import { PIPELINE_ADMIN_TOKEN, validateMasterPlaylist } from '@lib/testing';
import { Pipeline } from './support/pipeline';

/**
 * The whole relay against livepeer-local answering like an older Livepeer API
 * (LIVEPEER_LOCAL_DIALECT=legacy: no renditions in answers, no default ladder, a static list).
 * A stream created with no ladder republishes the ladder the relay asked for (its default,
 * sent explicitly), every variant listing every segment: never a quiet source-only stream.
 */
describe.each(['legacy', 'current'] as const)('a stream without a ladder, %s Livepeer API', (dialect) => {
  let pipeline: Pipeline;

  beforeAll(async () => {
    pipeline = await Pipeline.start({ name: `e2e-${dialect}-api`, transcodeMode: 'copy', extraEnv: { LIVEPEER_LOCAL_DIALECT: dialect } });
  });
  afterAll(() => pipeline?.stop());

  it('republishes the relay default ladder and says it is transcoding', async () => {
    const stream = await pipeline.createStream(`no ladder ${dialect}`, []);
    const collector = pipeline.watch(stream);
    await pipeline.publish(stream, 12).exited;
    await collector.untilEnded(120_000);

    const watcher = collector.watcher;
    expect(watcher.violations()).toEqual([]);
    expect(validateMasterPlaylist(watcher.masterText!)).toEqual([]);
    expect([...watcher.media.keys()].sort()).toEqual([...RELAY_DEFAULT_PRESETS, 'source'].sort());
    const [session] = await pipeline.sessions(stream);
    const timeline = await pipeline.timeline(session.id);
    const republished = timeline.filter((s) => s.state === 'republished');
    expect(republished.length).toBeGreaterThanOrEqual(4);
    for (const entry of republished) {
      expect(Object.keys(entry.renditions).sort()).toEqual([...RELAY_DEFAULT_PRESETS, 'source'].sort());
    }
    const detail = await (
      await fetch(`${pipeline.stitcher}/api/sessions/${session.id}`, { headers: { Authorization: `Bearer ${PIPELINE_ADMIN_TOKEN}` } })
    ).json();
    expect(detail.transcode.status).not.toMatch(/^not transcoding/);
  });
});
