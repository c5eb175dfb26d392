import fc from 'fast-check';
import { PlaylistWindowError } from './errors';
import { parseMediaPlaylist } from './parse';
import { PlaylistHistoryValidator } from '@lib/testing';
import {
  appendSegment,
  createWindow,
  endWindow,
  markDiscontinuity,
  MIN_WINDOW_TARGET_DURATIONS,
  nextMsn,
  slideWindow,
  type PlaylistWindow,
} from './window';
import { writeMediaPlaylist } from './write';

/**
 * Drives window.ts + write.ts the way the stitcher does, with upstream segments arriving in
 * random order, with gaps, duplicates, over-long segments and new sessions, and checks every
 * written version with the validator.
 */

type Upstream = { session: number; seq: number };

/** A small model of the stitcher's republishing loop for one rendition. */
class Republisher {
  window: PlaylistWindow;
  readonly versions: string[] = [];
  /** What each published msn was upstream, and whether it was written with a discontinuity. */
  readonly published = new Map<number, Upstream & { discontinuity: boolean }>();
  private session = 0;
  private expected = 0;
  private readonly buffered = new Map<number, number>();

  constructor(
    targetDuration: number,
    private readonly windowSize: number,
    mediaSequence: number,
  ) {
    this.window = createWindow({ targetDuration, mediaSequence });
  }

  arrive(seq: number, durationSec: number): void {
    if (seq < this.expected || this.buffered.has(seq)) return; // duplicate, or given up on
    this.buffered.set(seq, durationSec);
    this.publishInOrder();
  }

  /** The deadline of the missing next segment passed: skip to the next one we have. */
  deadline(): void {
    if (this.buffered.size === 0) return;
    const next = Math.min(...this.buffered.keys());
    if (next > this.expected) {
      this.window = markDiscontinuity(this.window);
      this.expected = next;
    }
    this.publishInOrder();
  }

  /** A new session of the same stream: upstream sequence numbers start again at 0. */
  restart(): void {
    while (this.buffered.size > 0) this.deadline();
    this.window = markDiscontinuity(this.window);
    this.session += 1;
    this.expected = 0;
  }

  end(): void {
    while (this.buffered.size > 0) this.deadline();
    this.window = endWindow(this.window);
    this.versions.push(writeMediaPlaylist(this.window));
  }

  private publishInOrder(): void {
    while (this.buffered.has(this.expected)) {
      const durationSec = this.buffered.get(this.expected)!;
      this.buffered.delete(this.expected);
      this.publish(this.expected, durationSec);
      this.expected += 1;
    }
  }

  private publish(seq: number, durationSec: number): void {
    const msn = nextMsn(this.window);
    try {
      this.window = appendSegment(this.window, { msn, uri: `${msn}.ts`, durationSec });
    } catch (error) {
      if (!(error instanceof PlaylistWindowError)) throw error;
      this.window = markDiscontinuity(this.window); // too long for the fixed target duration: dropped
      return;
    }
    const listed = this.window.segments[this.window.segments.length - 1];
    this.published.set(msn, { session: this.session, seq, discontinuity: listed.discontinuity });
    this.window = slideWindow(this.window, this.windowSize).window;
    this.versions.push(writeMediaPlaylist(this.window));
  }
}

type Event = { kind: 'arrive'; seq: number; durationSec: number } | { kind: 'deadline' };

/** One session: segments 0..n-1, some lost, some duplicated, each arriving up to `delay` places late. */
function sessionEvents(targetDuration: number) {
  const segment = fc.record({
    // Mostly within the target duration; sometimes over it (the window must refuse those).
    durationMs: fc.oneof(
      { weight: 9, arbitrary: fc.integer({ min: 200, max: targetDuration * 1000 + 499 }) },
      { weight: 1, arbitrary: fc.integer({ min: targetDuration * 1000 + 500, max: targetDuration * 1000 + 3000 }) },
    ),
    lost: fc.nat(9).map((n) => n < 2),
    duplicated: fc.nat(9).map((n) => n < 2),
    delay: fc.nat(3),
    // After this segment arrives, the deadline of a missing one may pass.
    deadlineAfter: fc.nat(3).map((n) => n === 0),
  });
  return fc.array(segment, { minLength: 1, maxLength: 25 }).map((segments) => {
    const arrivals = segments.flatMap((s, seq) => {
      if (s.lost) return [];
      const arrival = { at: seq + s.delay, seq, durationSec: s.durationMs / 1000, deadlineAfter: s.deadlineAfter };
      return s.duplicated ? [arrival, { ...arrival, at: arrival.at + 2 }] : [arrival];
    });
    arrivals.sort((a, b) => a.at - b.at);
    return arrivals.flatMap(({ seq, durationSec, deadlineAfter }): Event[] => [
      { kind: 'arrive', seq, durationSec },
      ...(deadlineAfter ? [{ kind: 'deadline' } as const] : []),
    ]);
  });
}

interface Scenario {
  targetDuration: number;
  windowSize: number;
  mediaSequence: number;
  /** How often a sampling poller looks (every n-th version). */
  sampleEvery: number;
  sessions: Event[][];
}

const scenario: fc.Arbitrary<Scenario> = fc
  .record({
    targetDuration: fc.integer({ min: 1, max: 6 }),
    windowSize: fc.integer({ min: 3, max: 12 }),
    mediaSequence: fc.nat(1_000_000),
    sampleEvery: fc.integer({ min: 2, max: 4 }),
  })
  .chain((config) =>
    fc.array(sessionEvents(config.targetDuration), { minLength: 1, maxLength: 4 }).map((sessions) => ({ ...config, sessions })),
  );

function republish(s: Scenario): Republisher {
  const republisher = new Republisher(s.targetDuration, s.windowSize, s.mediaSequence);
  s.sessions.forEach((events, index) => {
    if (index > 0) republisher.restart();
    for (const event of events) {
      if (event.kind === 'arrive') republisher.arrive(event.seq, event.durationSec);
      else republisher.deadline();
    }
  });
  republisher.end();
  return republisher;
}

describe('republishing through window.ts and write.ts (properties)', () => {
  it('every consecutive pair of written versions passes the validator, and the media sequence never decreases', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { versions } = republish(s);
        const validator = new PlaylistHistoryValidator({ targetDuration: s.targetDuration });
        versions.forEach((text) => validator.push(text));
        expect(validator.violations).toEqual([]);

        const sequences = versions.map((text) => parseMediaPlaylist(text).mediaSequence);
        sequences.forEach((msn, i) => i > 0 && expect(msn).toBeGreaterThanOrEqual(sequences[i - 1]));
        expect(sequences[0]).toBe(s.mediaSequence);
        expect(parseMediaPlaylist(versions[versions.length - 1]).endList).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('a poller that misses versions still sees no violation', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { versions } = republish(s);
        const validator = new PlaylistHistoryValidator({ targetDuration: s.targetDuration });
        versions.filter((_, i) => i % s.sampleEvery === 0 || i === versions.length - 1).forEach((text) => validator.push(text));
        expect(validator.violations).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });

  it('marks a discontinuity exactly where upstream continuity breaks (lost segment, dropped segment, new session)', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { published } = republish(s);
        const msns = [...published.keys()].sort((a, b) => a - b);
        msns.forEach((msn, i) => {
          if (i === 0) return;
          const before = published.get(msns[i - 1])!;
          const current = published.get(msn)!;
          const continuous = current.session === before.session && current.seq === before.seq + 1;
          expect(msn).toBe(msns[i - 1] + 1);
          expect(current.discontinuity).toBe(!continuous);
        });
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the window at its size, or longer only to list 3 target durations', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { versions } = republish(s);
        for (const text of versions) {
          const playlist = parseMediaPlaylist(text);
          if (playlist.segments.length <= s.windowSize) continue;
          const withoutHeadMs = playlist.segments.slice(1).reduce((sum, segment) => sum + Math.round(segment.duration * 1000), 0);
          expect(withoutHeadMs).toBeLessThan(MIN_WINDOW_TARGET_DURATIONS * s.targetDuration * 1000);
        }
      }),
      { numRuns: 200 },
    );
  });
});
