import { PlaylistWatcher } from './playlist-watcher';

/** A media playlist listing msns `from`..`to`. */
const media = (from: number, to: number) =>
  ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:2', `#EXT-X-MEDIA-SEQUENCE:${from}`]
    .concat(Array.from({ length: to - from + 1 }, (_, i) => [`#EXTINF:2.000,`, `${from + i}.ts`]).flat())
    .join('\n') + '\n';

describe('playlist watcher stall check', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['Date'] }));
  afterEach(() => vi.useRealTimers());

  /** The watcher seeing msns 0..n appear at the given times (ms from 0). */
  function watcherSeeing(times: number[]): PlaylistWatcher {
    const watcher = new PlaylistWatcher('http://relay', 'p', 2);
    times.forEach((t, msn) => {
      vi.setSystemTime(t);
      watcher.see('low', media(0, msn));
    });
    return watcher;
  }

  it('reports every interval over 1.5 x target duration between new segments while live', () => {
    const watcher = watcherSeeing([5000, 7000, 9000, 13_000, 15_000]);
    expect(watcher.stalls([{ from: 0, to: 16_000 }])).toEqual([{ rendition: 'low', from: 9000, to: 13_000, ms: 4000 }]);
  });

  it('starts a window at its first segment, and does not check the disconnected period', () => {
    const watcher = watcherSeeing([5000, 7000, 9000, 30_000, 32_000]);
    expect(
      watcher.stalls([
        { from: 0, to: 9500 },
        { from: 20_000, to: 33_000 },
      ]),
    ).toEqual([]);
  });

  it('counts a playlist that stops getting segments before the publisher stopped', () => {
    const watcher = watcherSeeing([5000, 7000]);
    expect(watcher.stalls([{ from: 0, to: 12_000 }])).toEqual([{ rendition: 'low', from: 7000, to: 12_000, ms: 5000 }]);
  });
});
