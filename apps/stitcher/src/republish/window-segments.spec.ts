import { describe, expect, it } from 'vitest';
import { windowSegments } from './stream-playlists';

describe('windowSegments', () => {
  it('is PLAYLIST_WINDOW_SEGMENTS without a DVR window', () => {
    expect(windowSegments(null, 2, 10)).toBe(10);
    expect(windowSegments(undefined, 2, 10)).toBe(10);
  });

  it('holds the DVR window in target durations, never fewer than the default', () => {
    expect(windowSegments(7200, 2, 10)).toBe(3600);
    expect(windowSegments(21, 2, 4)).toBe(11);
    expect(windowSegments(10, 2, 10)).toBe(10);
  });
});
