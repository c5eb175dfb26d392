import { PlaylistWindowError } from './errors';
import {
  DEFAULT_WINDOW_SEGMENTS,
  appendSegment,
  createWindow,
  endWindow,
  listedDuration,
  markDiscontinuity,
  nextMsn,
  slideWindow,
  type PlaylistWindow,
} from './window';

/** Appends `count` segments of `durationSec` named `{msn}.ts`. */
function fill(window: PlaylistWindow, count: number, durationSec = 2): PlaylistWindow {
  let state = window;
  for (let i = 0; i < count; i += 1) {
    const msn = nextMsn(state);
    state = appendSegment(state, { msn, uri: `${msn}.ts`, durationSec });
  }
  return state;
}

/** Freezes the state deeply so an accidental mutation throws. */
function frozen(window: PlaylistWindow): PlaylistWindow {
  window.segments.forEach((segment) => Object.freeze(segment));
  Object.freeze(window.segments);
  return Object.freeze(window);
}

describe('createWindow', () => {
  it('starts empty and live, continuing a persisted media and discontinuity sequence', () => {
    const window = createWindow({ targetDuration: 4, mediaSequence: 500, discontinuitySequence: 2 });
    expect(window).toEqual({
      targetDuration: 4,
      mediaSequence: 500,
      discontinuitySequence: 2,
      segments: [],
      ended: false,
      pendingDiscontinuity: false,
    });
    expect(nextMsn(window)).toBe(500);
  });

  it.each([
    { targetDuration: 0 },
    { targetDuration: 2.5 },
    { targetDuration: 2, mediaSequence: -1 },
    { targetDuration: 2, discontinuitySequence: 0.5 },
  ])('refuses %j', (init) => {
    expect(() => createWindow(init)).toThrow(PlaylistWindowError);
  });
});

describe('appendSegment', () => {
  const empty = frozen(createWindow({ targetDuration: 4, mediaSequence: 10 }));

  it('appends at the tail without changing the original state', () => {
    const one = appendSegment(empty, { msn: 10, uri: '10.ts', durationSec: 2.0004 });
    const two = appendSegment(frozen(one), { msn: 11, uri: '11.ts', durationSec: 3 });
    expect(empty.segments).toEqual([]);
    expect(one.segments).toHaveLength(1);
    expect(two.segments).toEqual([
      { msn: 10, uri: '10.ts', durationSec: 2, discontinuity: false }, // kept at the written precision
      { msn: 11, uri: '11.ts', durationSec: 3, discontinuity: false },
    ]);
    expect(nextMsn(two)).toBe(12);
  });

  it('requires the next media sequence number', () => {
    expect(() => appendSegment(empty, { msn: 11, uri: '11.ts', durationSec: 2 })).toThrow(/msn 11 is not the next one \(10\)/);
    const one = fill(empty, 1);
    expect(() => appendSegment(one, { msn: 10, uri: '10.ts', durationSec: 2 })).toThrow(/msn 10 is not the next one \(11\)/);
  });

  it('never changes the target duration: a segment rounding above it is rejected', () => {
    expect(() => appendSegment(empty, { msn: 10, uri: '10.ts', durationSec: 4.5 })).toThrow(/rounds above the fixed target duration 4/);
    expect(appendSegment(empty, { msn: 10, uri: '10.ts', durationSec: 4.49 }).targetDuration).toBe(4);
  });

  it.each([
    ['a zero duration', { durationSec: 0 }],
    ['a duration below a millisecond', { durationSec: 0.0004 }],
    ['a NaN duration', { durationSec: Number.NaN }],
    ['a URI with a line break', { uri: 'a\nb.ts' }],
  ])('rejects %s', (_, change) => {
    expect(() => appendSegment(empty, { msn: 10, uri: '10.ts', durationSec: 2, ...change })).toThrow(PlaylistWindowError);
  });
});

describe('markDiscontinuity', () => {
  it('puts the discontinuity on the next appended segment only', () => {
    const marked = markDiscontinuity(frozen(fill(createWindow({ targetDuration: 2 }), 2)));
    expect(marked.pendingDiscontinuity).toBe(true);
    expect(markDiscontinuity(marked)).toBe(marked);
    const after = fill(marked, 2);
    expect(after.segments.map((s) => s.discontinuity)).toEqual([false, false, true, false]);
    expect(after.pendingDiscontinuity).toBe(false);
  });

  it('can also be requested on the segment itself', () => {
    const window = appendSegment(createWindow({ targetDuration: 2 }), { msn: 0, uri: '0.ts', durationSec: 2, discontinuity: true });
    expect(window.segments[0].discontinuity).toBe(true);
  });
});

describe('slideWindow', () => {
  it(`keeps ${DEFAULT_WINDOW_SEGMENTS} segments by default, removing from the head and counting the media sequence`, () => {
    const full = frozen(fill(createWindow({ targetDuration: 2, mediaSequence: 100 }), 13));
    const { window, unlisted } = slideWindow(full);
    expect(window.segments.map((s) => s.msn)).toEqual([103, 104, 105, 106, 107, 108, 109, 110, 111, 112]);
    expect(window.mediaSequence).toBe(103);
    expect(unlisted.map((s) => s.uri)).toEqual(['100.ts', '101.ts', '102.ts']);
    expect(full.segments).toHaveLength(13);
  });

  it('does nothing while the window is not over its size', () => {
    const window = fill(createWindow({ targetDuration: 2 }), 6);
    expect(slideWindow(window, 6)).toEqual({ window, unlisted: [] });
  });

  it('counts a discontinuity that leaves the window in the discontinuity sequence', () => {
    let window = fill(createWindow({ targetDuration: 2, discontinuitySequence: 5 }), 2);
    window = fill(markDiscontinuity(window), 2);
    window = fill(markDiscontinuity(window), 5); // discontinuities on msn 2 and 4, 9 segments
    const first = slideWindow(window, 7); // removes msn 0, 1
    expect(first.window.discontinuitySequence).toBe(5);
    const second = slideWindow(first.window, 5); // removes msn 2, 3 (2 carries one)
    expect(second.window.discontinuitySequence).toBe(6);
    expect(second.window.segments[0]).toMatchObject({ msn: 4, discontinuity: true });
    const third = slideWindow(second.window, 4); // removes msn 4
    expect(third.window.discontinuitySequence).toBe(7);
  });

  it('never leaves less than 3 target durations listed while live', () => {
    // 1 s segments with a 4 s target duration: 12 segments are needed, more than the window size.
    const window = fill(createWindow({ targetDuration: 4 }), 20, 1);
    const slid = slideWindow(window, 10).window;
    expect(slid.segments).toHaveLength(12);
    expect(listedDuration(slid)).toBe(12);
    expect(slideWindow(fill(createWindow({ targetDuration: 4 }), 5, 2.5), 1).window.segments).toHaveLength(5);
  });

  it('sums written durations, so the written playlist keeps 3 target durations too', () => {
    // 2.0004 is written 2.000: six of them are 12.000 s, not 12.0024 s.
    const window = fill(createWindow({ targetDuration: 4 }), 7, 2.0004);
    expect(slideWindow(window, 5).window.segments).toHaveLength(6);
  });

  it('does not change an ended window and refuses a bad size', () => {
    const ended = endWindow(fill(createWindow({ targetDuration: 2 }), 15));
    expect(slideWindow(ended, 3)).toEqual({ window: ended, unlisted: [] });
    expect(() => slideWindow(ended, 0)).toThrow(PlaylistWindowError);
  });
});

describe('endWindow', () => {
  it('ends once and for all', () => {
    const marked = markDiscontinuity(fill(createWindow({ targetDuration: 2 }), 3));
    const ended = endWindow(frozen(marked));
    expect(ended).toMatchObject({ ended: true, pendingDiscontinuity: false });
    expect(endWindow(ended)).toBe(ended);
    expect(() => appendSegment(ended, { msn: 3, uri: '3.ts', durationSec: 2 })).toThrow(/has ended/);
    expect(() => markDiscontinuity(ended)).toThrow(/has ended/);
  });
});

it('is plain data that survives a JSON round trip (so it can be persisted)', () => {
  const window = markDiscontinuity(fill(createWindow({ targetDuration: 2, mediaSequence: 7 }), 4));
  const restored = JSON.parse(JSON.stringify(window)) as PlaylistWindow;
  expect(restored).toEqual(window);
  expect(fill(restored, 1)).toEqual(fill(window, 1));
});

describe('program date-times', () => {
  const at = Date.UTC(2026, 11, 1, 10);

  it('keeps each segment its own, and derives a missing one from the previous segment', () => {
    let window = createWindow({ targetDuration: 4 });
    window = appendSegment(window, { msn: 0, uri: '0.ts', durationSec: 2.5, programDateTime: at });
    window = appendSegment(window, { msn: 1, uri: '1.ts', durationSec: 2, programDateTime: null });
    window = appendSegment(window, { msn: 2, uri: '2.ts', durationSec: 2, programDateTime: at + 9000 });
    expect(window.segments.map((s) => s.programDateTime)).toEqual([at, at + 2500, at + 9000]);
  });

  it('has none while no segment had one, and refuses a time not after the previous', () => {
    let window = fill(createWindow({ targetDuration: 4 }), 2);
    expect(window.segments.every((s) => !('programDateTime' in s))).toBe(true);
    window = appendSegment(window, { msn: 2, uri: '2.ts', durationSec: 2, programDateTime: at });
    expect(() => appendSegment(window, { msn: 3, uri: '3.ts', durationSec: 2, programDateTime: at })).toThrow(PlaylistWindowError);
  });
});
