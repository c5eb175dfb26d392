import { parseMediaPlaylist } from '@lib/hls';
import type { SyntheticSegment } from '@lib/media';
import { TestEnv, spawnApp, waitFor, type RunningApp } from '@lib/testing';
import { PlaylistWatcher, RelayFixture, stitcherEnv, type LivepeerLocal, type Publish, StitcherScene } from './helpers';

/**
 * Media sequence continuity (docs/hls-rules.md rules 2 and 4): a stitcher killed mid-stream is
 * replaced and the numbers go on; a reconnect (new session of the same stream) and lost segments
 * continue them after a discontinuity; the end comes with ENDLIST. One watcher sees every version.
 */
describe('stitcher media sequence continuity', () => {
  let env: TestEnv;
  let lp: LivepeerLocal;
  let fixture: RelayFixture;
  let stitcher: RunningApp;
  let segments: SyntheticSegment[];
  let scene: StitcherScene;
  let first: Publish;
  let second: Publish;
  let watcher: PlaylistWatcher;
  const variants = ['low', 'source'];
  // Deadline 3 x 2 s: after a gap, Livepeer's amalgamation shows newer segments only once their
  // run is long enough (docs/livepeer-protocol.md §5.2), so a much shorter deadline would skip those too.
  const settings = { STITCHER_END_GRACE_MS: 4000, STITCHER_DEADLINE_FACTOR: 3 };

  const listedEverywhere = (msn: number) => variants.every((v) => watcher.media.get(v)?.listed.has(msn));
  const lastPlaylist = (variant: string) => parseMediaPlaylist(watcher.media.get(variant)!.last!);

  beforeAll(async () => {
    scene = await StitcherScene.start('stitcher-continuity', { mediaSeconds: 6, mode: 'passthrough' });
    ({ env, lp, fixture, segments } = scene);
    stitcher = await spawnApp('stitcher', stitcherEnv(env, lp, settings));
    const stream = await fixture.createStream('continuity', {
      profiles: [{ name: 'low', width: 256, height: 144, bitrate: 200_000, fps: 0 }],
    });
    first = await fixture.startSession(stream);
    watcher = new PlaylistWatcher(stitcher.url, stream.playbackId, 2);
    watcher.start(100);
  });

  afterAll(async () => {
    watcher?.stop();
    await stitcher?.proc.stop();
    await scene?.close();
  });

  it('continues the media sequence after the stitcher is killed mid-stream', async () => {
    for (let seq = 0; seq < 4; seq++) await fixture.publishSegment(first, seq, segments[seq % segments.length]);
    await waitFor(() => listedEverywhere(3), { timeoutMs: 20_000, what: 'segments 0-3 listed' });

    stitcher.proc.kill('SIGKILL');
    await stitcher.proc.exited;
    for (let seq = 4; seq < 7; seq++) await fixture.publishSegment(first, seq, segments[seq % segments.length]);
    // The new process has another identity: it waits for the dead one's lease to expire.
    const replacement = await spawnApp('stitcher', stitcherEnv(env, lp, settings));
    watcher.baseUrl = replacement.url;
    stitcher = replacement;
    await waitFor(() => listedEverywhere(6), { timeoutMs: 20_000, what: 'segments 4-6 listed after the restart' });

    for (const variant of variants) expect([...watcher.media.get(variant)!.listed].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(watcher.violations()).toEqual([]);
    watcher.errors = []; // connection refusals while no stitcher ran
  });

  it('skips an unplayable segment in every variant with a discontinuity, and lists one never transcoded in the source with a gap', async () => {
    await fixture.publishSegment(first, 7, segments[1], { push: false });
    await fixture.ledger.markDropped(first.session.id, 7, 'broadcaster-rejected');
    await fixture.publishSegment(first, 8, segments[0], { push: false }); // recorded but never transcoded: the source paces it
    // Up to 12: the broadcaster's playlist shows 9 on once its run outgrows the older one (docs/livepeer-protocol.md §5.2).
    for (let seq = 9; seq < 13; seq++) await fixture.publishSegment(first, seq, segments[seq % segments.length]);
    await waitFor(() => listedEverywhere(11), { timeoutMs: 20_000, what: 'seqs 8-12 listed (as msn 7-11)' });

    const rows = await fixture.renditionRows.find({ where: { sessionId: first.session.id } });
    const bySeq = (seq: number) =>
      rows
        .filter((r) => r.seq === seq)
        .map((r) => [r.rendition, r.state, r.dropReason])
        .sort();
    expect(bySeq(7)).toEqual([
      ['low', 'dropped', 'not-in-playlist'],
      ['source', 'dropped', 'not-in-playlist'],
    ]);
    expect(bySeq(8)).toEqual([
      ['low', 'dropped', 'not-in-playlist'],
      ['source', 'republished', null],
    ]);
    expect(bySeq(9).map((r) => r[1])).toEqual(['republished', 'republished']);
    const eight = rows.filter((r) => r.seq === 8);
    expect(eight.map((r) => [r.msn, r.discontinuity])).toEqual([
      [7, true],
      [7, true],
    ]);
    const nine = rows.find((r) => r.seq === 9)!;
    expect([nine.msn, nine.discontinuity]).toEqual([8, false]);
    // Every version a player saw: `low` listed msn 7 with #EXT-X-GAP, the source with media; both
    // count the discontinuity before it (their discontinuity sequences agree, docs/hls-rules.md rule 9).
    expect([...watcher.media.get('low')!.gaps]).toEqual([7]);
    expect([...watcher.media.get('source')!.gaps]).toEqual([]);
    expect(new Set(variants.map((v) => lastPlaylist(v).discontinuitySequence)).size).toBe(1);
    expect(watcher.violations()).toEqual([]);
  });

  it('continues the playlists of a reconnect after a discontinuity, without ENDLIST between', async () => {
    await fixture.endSession(first);
    second = await fixture.startSession(first.stream);
    for (let seq = 0; seq < 3; seq++) await fixture.publishSegment(second, seq, segments[seq % segments.length]);
    await waitFor(() => listedEverywhere(14), { timeoutMs: 20_000, what: 'the second session listed as msn 12-14' });

    for (const variant of variants) {
      const playlist = lastPlaylist(variant);
      expect(playlist.endList).toBe(false);
      const firstOfSecond = playlist.segments[12 - playlist.mediaSequence];
      expect(firstOfSecond.discontinuity).toBe(true);
    }
    const firstSession = await fixture.sessions.findOneBy({ id: first.session.id });
    expect(firstSession!.playlistEndedAt).not.toBeNull();
    expect(watcher.violations()).toEqual([]);
    // Both variants carry the same discontinuity sequence (docs/hls-rules.md rule 9).
    const sequences = variants.map((v) => lastPlaylist(v).discontinuitySequence);
    expect(new Set(sequences).size).toBe(1);
  });

  it('ends the playlists when the stream ends, after the reconnect grace', async () => {
    const endedAt = Date.now();
    await fixture.endSession(second);
    await waitFor(() => watcher.ended(), { timeoutMs: 20_000, what: 'ENDLIST' });
    expect(Date.now() - endedAt).toBeGreaterThanOrEqual(settings.STITCHER_END_GRACE_MS - 500);
    await watcher.poll();
    expect(watcher.errors).toEqual([]);
    expect(watcher.violations()).toEqual([]);
  });
});
