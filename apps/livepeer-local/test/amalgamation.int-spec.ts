import { parseMasterPlaylist, parseMediaPlaylist } from '@lib/hls';
import { LivepeerNotFoundError, type LivepeerStream } from '@lib/livepeer';
import type { SyntheticSegment } from '@lib/media';
import { pushSegment, waitFor } from '@lib/testing';
import { LivepeerLocal, clearFaults, makeSegments, setFaults, startLivepeerLocal, status, text } from './helpers';

/**
 * The API's amalgamated playlists over two real broadcaster processes (docs/livepeer-protocol.md §5.2), and what
 * happens when a broadcaster dies or reports itself unhealthy.
 */
describe('livepeer-local amalgamated playlists and broadcaster failure', () => {
  let lp: LivepeerLocal;
  let segments: SyntheticSegment[];
  let cleanupMedia: () => Promise<void>;
  let stream: LivepeerStream;
  let b0: string;
  let b1: string;

  beforeAll(async () => {
    ({ segments, cleanup: cleanupMedia } = await makeSegments(4));
    lp = await startLivepeerLocal({ LIVEPEER_LOCAL_BROADCASTERS: 2, LIVEPEER_LOCAL_TRANSCODE_MODE: 'passthrough' });
    [b0, b1] = lp.broadcasters;
    stream = await lp.client.createStream({
      name: 'amalgam',
      profiles: [
        { name: 'low', width: 256, height: 144, bitrate: 200_000, fps: 0 },
        { name: 'high', width: 640, height: 360, bitrate: 800_000, fps: 0 },
      ],
    });
  });
  afterAll(async () => {
    await lp?.stop();
    await cleanupMedia?.();
  });

  /** Pushes sequence numbers to one broadcaster, one after the other. */
  async function push(broadcaster: string, seqs: number[], durationMs = 2000) {
    for (const seq of seqs) {
      await pushSegment({ broadcasterUrl: broadcaster, manifestId: stream.id, seq, body: segments[seq % 2].bytes, durationMs });
    }
  }

  async function amalgamated(rendition: string) {
    const answer = await text(`${lp.url}/stream/${stream.id}/${rendition}.m3u8`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/x-mpegurl');
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    expect(answer.headers.get('access-control-allow-methods')).toBe('GET');
    return parseMediaPlaylist(answer.body);
  }

  const listed = (playlist: { segments: { uri: string }[] }) =>
    playlist.segments.map((s) => {
      const url = new URL(s.uri);
      return `${url.origin === b0 ? 'b0' : url.origin === b1 ? 'b1' : url.origin}:${url.pathname.split('/').pop()!.replace('.ts', '')}`;
    });

  it('answers 404 while no broadcaster has the stream', async () => {
    const master = await text(`${lp.url}/stream/${stream.id}.m3u8`);
    expect(master.status).toBe(404);
    expect(JSON.parse(master.body)).toEqual({ errors: ['not found'] });
    expect((await text(`${lp.url}/stream/${stream.id}/low.m3u8`)).status).toBe(404);
    await expect(lp.client.fetchPlaylist(`${lp.url}/stream/${stream.id}.m3u8`)).rejects.toBeInstanceOf(LivepeerNotFoundError);
  });

  it('counts the 404s of broadcasters asked for a session they do not hold (logged at debug, not per poll as warnings)', async () => {
    const notHeld = async (broadcaster: string) => {
      const metrics = await text(`${broadcaster}/metrics`);
      return Number(/^livepeer_broadcaster_playlist_not_held_total(?:\{[^}]*\})? (\d+)/m.exec(metrics.body)?.[1] ?? NaN);
    };
    const before = await Promise.all([notHeld(b0), notHeld(b1)]);
    expect((await text(`${lp.url}/stream/${stream.id}/low.m3u8`)).status).toBe(404);
    const after = await Promise.all([notHeld(b0), notHeld(b1)]);
    // The amalgamation asked each broadcaster once; neither holds the session yet.
    expect(after).toEqual([before[0] + 1, before[1] + 1]);
  });

  it('serves an empty media playlist for a rendition that has no segment yet', async () => {
    // A first push that cannot be transcoded opens the session (and its source rendition) but adds nothing.
    const empty = await text(`${b0}/live/${stream.id}/0.ts`, { method: 'PUT', body: Buffer.alloc(0) });
    expect(empty.status).toBe(422);
    const source = await amalgamated('source');
    expect(source).toMatchObject({ mediaSequence: 0, segments: [] });
  });

  it('merges the segments of both broadcasters into one run with absolute URIs', async () => {
    await push(b0, [0, 1, 2]);
    await push(b1, [3, 4, 5]);
    const low = await amalgamated('low');
    expect(low.mediaSequence).toBe(0);
    expect(low.targetDuration).toBe(2);
    expect(listed(low)).toEqual(['b0:0', 'b0:1', 'b0:2', 'b1:3', 'b1:4', 'b1:5']);
    expect(low.segments[0].uri).toBe(`${b0}/stream/${stream.id}/low/0.ts`);
    const fetched = await fetch(low.segments[5].uri);
    expect(fetched.status).toBe(200);
    expect(parseMediaPlaylist(await lp.client.fetchPlaylist(`${lp.url}/stream/${stream.id}/low.m3u8`))).toEqual(low);

    const master = await text(`${lp.url}/stream/${stream.id}.m3u8`);
    expect(master.headers.get('content-type')).toBe('application/x-mpegurl');
    const variants = parseMasterPlaylist(master.body).variants;
    // Merged by URI (both broadcasters list the same three), sorted by bandwidth, URIs kept relative.
    expect(variants.map((v) => [v.uri, v.bandwidth])).toEqual([
      [`${stream.id}/source.m3u8`, 4_000_000],
      [`${stream.id}/high.m3u8`, 800_000],
      [`${stream.id}/low.m3u8`, 200_000],
    ]);
  });

  it('lists a sequence number pushed to both broadcasters once', async () => {
    await push(b0, [6]);
    await push(b1, [6]);
    const low = await amalgamated('low');
    expect(listed(low).filter((s) => s.endsWith(':6'))).toHaveLength(1);
    expect(low.segments.map((s) => s.uri.split('/').pop())).toEqual(['0.ts', '1.ts', '2.ts', '3.ts', '4.ts', '5.ts', '6.ts']);
  });

  it('keeps the longer older run while a newer run after a gap is shorter than 5', async () => {
    await push(b1, [8, 9], 2500);
    const low = await amalgamated('low');
    expect(low.mediaSequence).toBe(0);
    expect(low.segments.map((s) => s.uri.split('/').pop())).toEqual(['0.ts', '1.ts', '2.ts', '3.ts', '4.ts', '5.ts', '6.ts']);
    expect(low.targetDuration).toBe(2);
  });

  it('closes the gap when the missing segment arrives late, then follows the newest run', async () => {
    await push(b0, [7]);
    let low = await amalgamated('low');
    expect(low.segments.map((s) => Number(s.uri.split('/').pop()!.replace('.ts', '')))).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(low.targetDuration).toBe(3); // ceil(2.5)

    // b1's window slides past 3..6: 0-2 and 6-13 remain, the newest run (8 long) wins.
    await push(b1, [10, 11, 12, 13]);
    low = await amalgamated('low');
    expect(low.mediaSequence).toBe(6);
    expect(listed(low)).toEqual(['b0:6', 'b0:7', 'b1:8', 'b1:9', 'b1:10', 'b1:11', 'b1:12', 'b1:13']);
  });

  it('drops a broadcaster marked unhealthy within 5 s, and takes it back when it recovers', async () => {
    await setFaults(b1, { unhealthy: true });
    const started = Date.now();
    await waitFor(async () => (await lp.client.listBroadcasters()).every((b) => b.address !== b1), {
      timeoutMs: 5000,
      intervalMs: 100,
      what: 'b1 to leave the list',
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(listed(await amalgamated('low')).every((s) => s.startsWith('b0:'))).toBe(true);
    await clearFaults(b1);
    await waitFor(async () => (await lp.client.listBroadcasters()).length === 2, {
      timeoutMs: 5000,
      intervalMs: 100,
      what: 'b1 to come back',
    });
  });

  it('drops a SIGKILLed broadcaster within 5 s and keeps serving what the other one has', async () => {
    const { pid } = await status(b1);
    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    await waitFor(
      async () => {
        const list = await lp.client.listBroadcasters();
        return list.length === 1 && list[0].address === b0;
      },
      { timeoutMs: 5000, intervalMs: 100, what: 'the killed broadcaster to leave /api/broadcaster' },
    );
    expect(Date.now() - killedAt).toBeLessThan(5000);

    // b0 alone holds 0, 1, 2, 6, 7: runs [0-2] and [6-7]; the older, longer one is served.
    let low = await amalgamated('low');
    expect(listed(low)).toEqual(['b0:0', 'b0:1', 'b0:2']);
    const master = parseMasterPlaylist((await text(`${lp.url}/stream/${stream.id}.m3u8`)).body);
    expect(master.variants).toHaveLength(3);

    // New segments go to the survivor and the playlist follows them.
    await push(b0, [14, 15, 16, 17, 18]);
    low = await amalgamated('low');
    expect(listed(low)).toEqual(['b0:14', 'b0:15', 'b0:16', 'b0:17', 'b0:18']);
    expect(low.mediaSequence).toBe(14);
    const ready = await text(`${lp.url}/health/ready`);
    expect(ready.status).toBe(200); // one healthy broadcaster is enough

    // With no healthy broadcaster left: not ready, and nothing to amalgamate.
    await setFaults(b0, { unhealthy: true });
    const notReady = await waitFor(
      async () => {
        const answer = await text(`${lp.url}/health/ready`);
        return answer.status === 503 && answer;
      },
      { timeoutMs: 5000, what: 'readiness to fail' },
    );
    expect(JSON.parse(notReady.body).error.broadcasters.message).toBe('none of 2 broadcaster(s) is healthy');
    expect((await text(`${lp.url}/stream/${stream.id}/low.m3u8`)).status).toBe(404);
    await clearFaults(b0);
    await waitFor(async () => (await text(`${lp.url}/health/ready`)).status === 200, { timeoutMs: 5000, what: 'readiness to recover' });
  });

  it('takes its broadcasters down with it, even when killed with SIGKILL', async () => {
    const { pid } = await status(b0);
    lp.app.proc.kill('SIGKILL');
    await lp.app.proc.exited;
    await waitFor(
      () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      },
      { timeoutMs: 5000, what: 'the orphaned broadcaster to exit' },
    );
  });
});
