import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LivepeerStream } from '@lib/livepeer';
import type { SyntheticSegment } from '@lib/media';
import { TestEnv, spawnApp, waitFor, type RunningApp } from '@lib/testing';
import { PlaylistWatcher, RelayFixture, makeSegments, stitcherEnv, type Publish } from './helpers';

type Mode = 'ok' | 'garbage' | 'huge' | 'endless' | 'hang' | 'error' | 'wrong-seqs' | 'foreign' | 'redirect';

/**
 * An upstream that misbehaves in every way the stitcher must survive, standing in for a broken
 * or hostile Livepeer API: playlists that are not playlists, too large, never ending, never
 * answered, failing, listing absurd sequence numbers, pointing at hosts that are not broadcasters.
 * The stream must go on and nothing must be fetched from a host that is not a broadcaster.
 */
describe('stitcher against a malformed or hostile upstream', () => {
  let env: TestEnv;
  let fixture: RelayFixture;
  let stitcher: RunningApp;
  let segments: SyntheticSegment[];
  let cleanupMedia: () => Promise<void>;
  let publish: Publish;
  let watcher: PlaylistWatcher;
  let upstream: http.Server;
  let foreign: http.Server;
  let upstreamUrl = '';
  let foreignUrl = '';
  const foreignHits: string[] = [];
  let mode: Mode = 'ok';
  /** seq -> where the ok playlist says it is ('foreign' for a host that is not a broadcaster). */
  const listedSeqs = new Map<number, 'broadcaster' | 'foreign'>();
  const openResponses = new Set<http.ServerResponse>();
  /** Seqs whose segment the broadcaster answers with an error page (200, video/mp2t) instead of MPEG-TS. */
  const garbageSegments = new Set<number>();

  function playlist(entries: [number, string][]): string {
    const lines = ['#EXTM3U', '#EXT-X-VERSION:3', `#EXT-X-MEDIA-SEQUENCE:${entries[0]?.[0] ?? 0}`, '#EXT-X-TARGETDURATION:2'];
    for (const [, uri] of entries) lines.push('#EXTINF:2.000,', uri);
    return `${lines.join('\n')}\n`;
  }

  function renditionPlaylist(): string {
    const entries = [...listedSeqs].map(([seq, where]): [number, string] => [
      seq,
      `${where === 'foreign' ? foreignUrl : upstreamUrl}/stream/fake/low/${seq}.ts`,
    ]);
    if (mode === 'wrong-seqs') {
      entries.push([999_999_999_999, `${upstreamUrl}/stream/fake/low/999999999999.ts`], [7, `${upstreamUrl}/stream/fake/low/7x.ts`]);
    }
    if (mode === 'foreign') return playlist(entries.map(([seq]) => [seq, `${foreignUrl}/stream/fake/low/${seq}.ts`]));
    return playlist(entries);
  }

  function serveUpstream(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = req.url ?? '';
    if (url === '/api/broadcaster')
      return res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify([{ address: upstreamUrl }]));
    if (req.method === 'DELETE' && url.startsWith('/api/stream/')) return res.writeHead(204).end();
    const segment = /^\/stream\/fake\/low\/(\d+)\.ts$/.exec(url);
    if (segment && garbageSegments.has(Number(segment[1])))
      return res.writeHead(200, { 'Content-Type': 'video/mp2t' }).end('<html><body>upstream timed out</body></html>\n'.repeat(20));
    if (segment) return res.writeHead(200, { 'Content-Type': 'video/mp2t' }).end(segments[Number(segment[1]) % segments.length].bytes);
    if (url !== '/stream/fake/low.m3u8') return res.writeHead(404).end();
    switch (mode) {
      case 'garbage':
        return res.writeHead(200).end('<html>\n<body>Bad gateway</body>\n</html>\n');
      case 'huge':
        return res.writeHead(200).end(`#EXTM3U\n${'#EXT-X-COMMENT:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n'.repeat(50_000)}`);
      case 'endless': {
        res.writeHead(200);
        openResponses.add(res);
        const timer = setInterval(() => res.write('#EXTM3U\n'.repeat(100)), 20);
        res.on('close', () => clearInterval(timer));
        return;
      }
      case 'hang':
        openResponses.add(res);
        return; // never answers
      case 'error':
        return res.writeHead(500).end('internal error');
      case 'redirect':
        return res.writeHead(302, { Location: `${foreignUrl}/stream/fake/low.m3u8` }).end();
      default:
        return res.writeHead(200, { 'Content-Type': 'application/x-mpegurl' }).end(renditionPlaylist());
    }
  }

  async function listen(server: http.Server): Promise<string> {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const listed = (msn: number) => ['low', 'source'].every((v) => watcher.media.get(v)?.listed.has(msn));
  const health = async () => (await fetch(`${stitcher.url}/health/live`)).status;

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'stitcher-hostile' });
    ({ segments, cleanup: cleanupMedia } = await makeSegments({ seconds: 4 }));
    upstream = http.createServer(serveUpstream);
    foreign = http.createServer((req, res) => {
      foreignHits.push(req.url ?? '');
      res.writeHead(200).end(segments[0].bytes);
    });
    upstreamUrl = await listen(upstream);
    foreignUrl = await listen(foreign);
    fixture = await RelayFixture.create(env);
    stitcher = await spawnApp(
      'stitcher',
      stitcherEnv(env, undefined, {
        LIVEPEER_API_URL: `${upstreamUrl}/api`,
        STITCHER_FETCH_TIMEOUT_MS: 1000,
        STITCHER_MAX_PLAYLIST_BYTES: 64 * 1024,
        STITCHER_DEADLINE_FACTOR: 4,
      }),
    );
    const stream = await fixture.createStream('hostile', {
      profiles: [{ name: 'low', width: 256, height: 144, bitrate: 200_000, fps: 0 }],
    });
    const livepeer = {
      id: 'fake',
      renditions: { low: '/stream/fake/low.m3u8' },
      profiles: stream.ladder.profiles,
    } as unknown as LivepeerStream;
    publish = await fixture.startSession(stream, { livepeer });
    watcher = new PlaylistWatcher(stitcher.url, stream.playbackId, 2);
    watcher.start(100);
  });

  afterAll(async () => {
    watcher?.stop();
    await stitcher?.proc.stop();
    for (const res of openResponses) res.destroy();
    await new Promise((r) => upstream?.close(r));
    await new Promise((r) => foreign?.close(r));
    await fixture?.close();
    await cleanupMedia?.();
    await env?.cleanup();
  });

  it('republishes while the upstream behaves', async () => {
    for (const seq of [0, 1]) {
      await fixture.publishSegment(publish, seq, segments[seq], { push: false, confirmed: true });
      listedSeqs.set(seq, 'broadcaster');
    }
    await waitFor(() => listed(1), { timeoutMs: 15_000, what: 'segments 0 and 1' });
  });

  it('rides out unusable playlists and picks the segment up when the upstream recovers', async () => {
    mode = 'garbage';
    await fixture.publishSegment(publish, 2, segments[0], { push: false, confirmed: true });
    listedSeqs.set(2, 'broadcaster');
    for (const bad of ['garbage', 'huge', 'endless', 'hang', 'error', 'redirect', 'foreign'] as Mode[]) {
      mode = bad;
      await new Promise((r) => setTimeout(r, 600));
      expect(await health(), bad).toBe(200);
    }
    expect(watcher.media.get('low')!.listed.has(2)).toBe(false);
    // Back to a usable playlist, which also lists absurd sequence numbers: those are ignored.
    mode = 'wrong-seqs';
    await waitFor(() => listed(2), { timeoutMs: 10_000, what: 'segment 2 once the upstream is usable again' });
    mode = 'ok';
    expect(foreignHits).toEqual([]);
    expect(watcher.violations()).toEqual([]);
  });

  it('never fetches from a host the API did not list as a broadcaster, and gives such a segment up once a later one is ready (before its deadline)', async () => {
    await fixture.publishSegment(publish, 3, segments[1], { push: false, confirmed: true });
    listedSeqs.set(3, 'foreign');
    await fixture.publishSegment(publish, 4, segments[0], { push: false, confirmed: true });
    listedSeqs.set(4, 'broadcaster');
    await waitFor(() => listed(4), { timeoutMs: 20_000, what: 'seq 4 listed as msn 4 after seq 3 was given up in low' });
    const rows = await fixture.renditionRows.find({ where: { sessionId: publish.session.id, seq: 3 } });
    // The source had seq 3: it is listed there, and `low` lists the same msn with #EXT-X-GAP.
    expect(rows.map((r) => [r.rendition, r.state, r.dropReason, r.msn]).sort()).toEqual([
      ['low', 'dropped', 'fetch-failed', 3],
      ['source', 'republished', null, 3],
    ]);
    expect([...watcher.media.get('low')!.gaps]).toEqual([3]);
    expect(foreignHits).toEqual([]);
    const metrics = await (await fetch(`${stitcher.url}/metrics`)).text();
    expect(metrics).toMatch(/stitcher_upstream_errors_total\{[^}]*kind="playlist"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/stitcher_segments_gap_total\{[^}]*reason="fetch-failed"[^}]*\} 1/);
    expect(watcher.errors).toEqual([]);
    expect(watcher.violations()).toEqual([]);
  });

  it('never lists a segment that is not MPEG-TS: it is a failed download, then a gap once a later one is ready', async () => {
    const segmentErrors = async () =>
      Number(
        /stitcher_upstream_errors_total\{[^}]*kind="segment"[^}]*\} (\d+)/.exec(
          await (await fetch(`${stitcher.url}/metrics`)).text(),
        )?.[1] ?? 0,
      );
    const errorsBefore = await segmentErrors();
    garbageSegments.add(5);
    for (const seq of [5, 6]) {
      await fixture.publishSegment(publish, seq, segments[seq % segments.length], { push: false, confirmed: true });
      listedSeqs.set(seq, 'broadcaster');
    }
    await waitFor(() => listed(6), { timeoutMs: 20_000, what: 'seq 6 listed after the garbage seq 5' });
    const rows = await fixture.renditionRows.find({ where: { sessionId: publish.session.id, seq: 5 } });
    expect(rows.map((r) => [r.rendition, r.state, r.dropReason]).sort()).toEqual([
      ['low', 'dropped', 'fetch-failed'],
      ['source', 'republished', null],
    ]);
    expect(watcher.media.get('low')!.gaps.has(5)).toBe(true);
    expect(watcher.media.get('low')!.gaps.has(6)).toBe(false);
    expect(await segmentErrors()).toBeGreaterThan(errorsBefore);
    expect(watcher.violations()).toEqual([]);
  });
});
