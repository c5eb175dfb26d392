import { SegmentEntity } from '@lib/database';
import { parseMediaPlaylist } from '@lib/hls';
import type { SyntheticSegment } from '@lib/media';
import { objectKeys } from '@lib/storage';
import { TestEnv, spawnApp, waitFor, type RunningApp } from '@lib/testing';
import { PlaylistWatcher, RelayFixture, stitcherEnv, type LivepeerLocal, type Publish, StitcherScene } from './helpers';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

/**
 * Retention with the default periods (24 h for objects, 30 days for ledger rows): an ended
 * session's rows are aged in the database, as if that time had passed. Its objects go, old ledger
 * rows are pruned, and a later publish of the stream still continues the media sequence.
 */
describe('stitcher retention', () => {
  let env: TestEnv;
  let lp: LivepeerLocal;
  let fixture: RelayFixture;
  let stitcher: RunningApp;
  let segments: SyntheticSegment[];
  let scene: StitcherScene;
  let first: Publish;

  beforeAll(async () => {
    scene = await StitcherScene.start('stitcher-retention', { mediaSeconds: 4, mode: 'passthrough' });
    ({ env, lp, fixture, segments } = scene);
    stitcher = await spawnApp('stitcher', stitcherEnv(env, lp, { STITCHER_RETENTION_CHECK_MS: 1000 }));
  });

  afterAll(async () => {
    await stitcher?.proc.stop();
    await scene?.close();
  });

  it('keeps the objects of a recently ended session', async () => {
    const stream = await fixture.createStream('retained', {
      profiles: [{ name: 'low', width: 256, height: 144, bitrate: 200_000, fps: 0 }],
    });
    first = await fixture.startSession(stream);
    for (let seq = 0; seq < 4; seq++) await fixture.publishSegment(first, seq, segments[seq % segments.length]);
    await waitFor(async () => (await fixture.ledger.counts(first.session.id)).byState.republished === 4, {
      timeoutMs: 20_000,
      what: 'republished',
    });
    await fixture.endSession(first);
    await waitFor(async () => (await fixture.sessions.findOneBy({ id: first.session.id }))?.playlistEndedAt, {
      timeoutMs: 20_000,
      what: 'closed',
    });
    await new Promise((r) => setTimeout(r, 2500)); // retention runs every second
    expect((await fixture.sessions.findOneBy({ id: first.session.id }))!.purgedAt).toBeNull();
    expect(await fixture.storage.list(objectKeys.sourceSession(first.session.id))).toHaveLength(4);
  });

  it('removes the objects of a session ended longer ago than RETENTION_HOURS, and prunes old ledger rows', async () => {
    const { id } = first.session;
    await fixture.sessions.update({ id }, { endedAt: Date.now() - 25 * HOUR });
    await fixture.ds.getRepository(SegmentEntity).update({ sessionId: id }, { ingestedAt: Date.now() - 31 * DAY });
    await fixture.renditionRows.update({ sessionId: id }, { republishedAt: Date.now() - 31 * DAY });

    await waitFor(async () => (await fixture.sessions.findOneBy({ id }))?.purgedAt, { timeoutMs: 15_000, what: 'the session purged' });
    expect(await fixture.storage.list(objectKeys.sourceSession(id))).toEqual([]);
    expect(await fixture.storage.list(objectKeys.hlsStream(first.stream.playbackId))).toEqual([]);
    expect((await fetch(`${stitcher.url}/hls/${first.stream.playbackId}/index.m3u8`)).status).toBe(404);

    await waitFor(async () => (await fixture.ledger.list(id)).length === 0, { timeoutMs: 15_000, what: 'ledger rows pruned' });
    // Only the rows carrying the stream's newest media sequence number are kept.
    const kept = await fixture.renditionRows.find({ where: { sessionId: id } });
    expect(kept.map((r) => [r.rendition, r.msn]).sort()).toEqual([
      ['low', 3],
      ['source', 3],
    ]);
  });

  it('continues the media sequence of the stream when it is published again', async () => {
    const second = await fixture.startSession(first.stream);
    const watcher = new PlaylistWatcher(stitcher.url, first.stream.playbackId, 2);
    watcher.start(100);
    try {
      for (let seq = 0; seq < 3; seq++) await fixture.publishSegment(second, seq, segments[seq % segments.length]);
      await waitFor(() => watcher.media.get('low')?.listed.has(6), { timeoutMs: 20_000, what: 'msn 4-6 listed' });
      const playlist = parseMediaPlaylist(watcher.media.get('low')!.last!);
      expect(playlist.mediaSequence).toBe(4);
      expect(playlist.segments[0].discontinuity).toBe(true);
      expect((await fixture.renditionRows.findBy({ sessionId: second.session.id })).filter((r) => r.msn !== null)).toHaveLength(6);
      expect(watcher.violations()).toEqual([]);
    } finally {
      watcher.stop();
    }
  });
});
