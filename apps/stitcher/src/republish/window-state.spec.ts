import fc from 'fast-check';
import { endWindow, parseMediaPlaylist, writeMediaPlaylist, type PlaylistWindow } from '@lib/hls';
import { PlaylistHistoryValidator } from '@lib/testing';
import { appendListing, continuationFor, fitDuration, programDateTimeOf, rebuildWindow, type ListedRow } from './window-state';

/**
 * The stitcher's playlist bookkeeping, driven through random histories: segments listed and
 * skipped, writer restarts (state rebuilt from the rows the database keeps), new sessions with
 * other ladders, the end. Every version of every variant playlist must pass the validator, and
 * variants must agree on each segment's discontinuity sequence number and program date-time.
 */

const WALL_CLOCK_START = Date.UTC(2026, 11, 1, 10);

const TARGET_DURATION = 4;
const WINDOW = 5;

type Step =
  { kind: 'list'; durationMs: number } | { kind: 'skip' } | { kind: 'restart' } | { kind: 'session'; keep: boolean[]; added: number };

interface Row extends ListedRow {
  variant: string;
  sessionId: number;
  seq: number;
}

class Simulation {
  readonly rows: Row[] = [];
  readonly validators = new Map<string, PlaylistHistoryValidator>();
  readonly written = new Map<string, string>();
  windows = new Map<string, PlaylistWindow>();
  variants = ['240p', 'source'];
  session = 0;
  seq = 0;
  private lastListed?: { sessionId: number; seq: number; msn: number; programDateTime: number | null; durationMs: number | null };
  /** Ingest's wall clock: a segment's first frame arrives when the previous one's media ends. */
  private clock = WALL_CLOCK_START;
  private nextMsn = 0;
  private discontinuities = 0;
  private freshNames = 0;

  apply(step: Step): void {
    if (step.kind === 'list') this.list(step.durationMs);
    else if (step.kind === 'skip') {
      this.seq += 1;
      this.clock += 2000;
    } else if (step.kind === 'restart') this.restart();
    else this.newSession(step.keep, step.added);
  }

  private list(durationMs: number): void {
    const msn = this.nextMsn;
    const discontinuity =
      this.lastListed !== undefined && !(this.lastListed.sessionId === this.session && this.lastListed.seq === this.seq - 1);
    const programDateTime = programDateTimeOf(this.clock, this.lastListed, discontinuity);
    this.clock += durationMs;
    for (const variant of this.variants) {
      this.rows.push({ variant, sessionId: this.session, seq: this.seq, msn, durationMs, discontinuity, programDateTime });
      const next = appendListing(this.windows.get(variant), {
        msn,
        durationMs,
        discontinuity,
        programDateTime,
        targetDuration: TARGET_DURATION,
        windowSize: WINDOW,
        discontinuitiesBefore: this.discontinuities,
      });
      this.windows.set(variant, next.window);
      this.write(variant);
    }
    this.lastListed = { sessionId: this.session, seq: this.seq, msn, programDateTime: programDateTime ?? null, durationMs };
    this.nextMsn += 1;
    if (discontinuity) this.discontinuities += 1;
    this.seq += 1;
  }

  /** What StreamPlaylists.load + openSession do after a crash: everything from the rows. */
  private restart(): void {
    const listed = this.rows.filter((r) => r.msn !== null);
    this.nextMsn = listed.length ? Math.max(...listed.map((r) => r.msn)) + 1 : 0;
    const last = listed.find((r) => r.msn === this.nextMsn - 1);
    this.lastListed = last && {
      sessionId: last.sessionId,
      seq: last.seq,
      msn: last.msn,
      programDateTime: last.programDateTime ?? null,
      durationMs: last.durationMs,
    };
    this.discontinuities = this.discontinuitiesBefore(this.nextMsn);
    this.windows = new Map();
    for (const variant of this.variants) {
      const rows = listed.filter((r) => r.variant === variant).slice(-(WINDOW * 3 + 20));
      this.windows.set(
        variant,
        rebuildWindow({
          targetDuration: TARGET_DURATION,
          windowSize: WINDOW,
          rows,
          discontinuitiesBefore: rows.length ? this.discontinuitiesBefore(rows[0].msn) : this.discontinuities,
          nextStreamMsn: this.nextMsn,
          ended: false,
        }),
      );
    }
  }

  /** A reconnect: variants that leave the ladder end; new ones start at the stream's msn. */
  private newSession(keep: boolean[], added: number): void {
    const staying = this.variants.filter((v, i) => v === 'source' || keep[i % keep.length]);
    for (const variant of this.variants.filter((v) => !staying.includes(v))) this.end(variant);
    this.variants = [...staying, ...Array.from({ length: added }, () => `r${this.freshNames++}`)];
    this.session += 1;
    this.seq = 0;
    this.clock += 3000; // the encoder reconnects
  }

  end(variant: string): void {
    const window = this.windows.get(variant);
    if (!window || window.segments.length === 0) return;
    this.windows.set(variant, endWindow(window));
    this.write(variant);
  }

  private discontinuitiesBefore(msn: number): number {
    return new Set(this.rows.filter((r) => r.discontinuity && r.msn < msn).map((r) => r.msn)).size;
  }

  private write(variant: string): void {
    const text = writeMediaPlaylist(this.windows.get(variant)!);
    // Overlong segments are written as the target duration (fitDuration): their time steps up to 0.7 s further.
    if (!this.validators.has(variant)) {
      this.validators.set(variant, new PlaylistHistoryValidator({ targetDuration: TARGET_DURATION, programDateTimeToleranceSec: 1 }));
    }
    this.validators.get(variant)!.push(text);
    this.written.set(variant, text);
  }

  /** msn -> program date-time of that segment, per the variant's current playlist. */
  programDateTimes(variant: string): Map<number, number | undefined> {
    const playlist = parseMediaPlaylist(this.written.get(variant)!);
    return new Map(playlist.segments.map((segment, i) => [playlist.mediaSequence + i, segment.programDateTime]));
  }

  /** msn -> discontinuity sequence number of that segment, per the variant's current playlist. */
  discontinuityNumbers(variant: string): Map<number, number> {
    const playlist = parseMediaPlaylist(this.written.get(variant)!);
    const numbers = new Map<number, number>();
    let current = playlist.discontinuitySequence;
    playlist.segments.forEach((segment, i) => {
      if (segment.discontinuity) current += 1;
      numbers.set(playlist.mediaSequence + i, current);
    });
    return numbers;
  }
}

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 12, arbitrary: fc.integer({ min: 800, max: 4700 }).map((durationMs) => ({ kind: 'list' as const, durationMs })) },
  { weight: 2, arbitrary: fc.constant({ kind: 'skip' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'restart' as const }) },
  {
    weight: 1,
    arbitrary: fc
      .record({ keep: fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }), added: fc.integer({ min: 0, max: 2 }) })
      .map((s) => ({ kind: 'session' as const, ...s })),
  },
);

describe('republished playlist bookkeeping', () => {
  it('keeps every rule across random histories, restarts and sessions', () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 120 }), fc.boolean(), (steps, endAtLast) => {
        const sim = new Simulation();
        for (const s of steps) {
          sim.apply(s);
          // Variants in the current ladder agree on the discontinuity number of every shared msn.
          const listedVariants = sim.variants.filter((v) => sim.written.has(v));
          const maps = listedVariants.map((v) => sim.discontinuityNumbers(v));
          for (const map of maps.slice(1)) {
            for (const [msn, number] of map) if (maps[0].has(msn)) expect(number, `msn ${msn}`).toBe(maps[0].get(msn));
          }
          // ... and on its program date-time, which every listed segment has.
          const times = listedVariants.map((v) => sim.programDateTimes(v));
          for (const map of times) for (const [msn, at] of map) expect(at, `msn ${msn}`).toBe(times[0].get(msn) ?? at);
          for (const map of times) for (const at of map.values()) expect(at).toBeGreaterThanOrEqual(WALL_CLOCK_START);
        }
        if (endAtLast) for (const variant of sim.variants) sim.end(variant);
        for (const [variant, validator] of sim.validators) expect(validator.violations, variant).toEqual([]);
      }),
      { numRuns: 300 },
    );
    // CPU-bound (1.7 s alone): room for a shared machine, where it took over 5 s.
  }, 30_000);

  it('rebuilds exactly the window the writer had', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 500, max: 4400 }), { minLength: 1, maxLength: 60 }), (durations) => {
        let live: PlaylistWindow | undefined;
        let clock = WALL_CLOCK_START;
        const rows: ListedRow[] = durations.map((durationMs, msn) => {
          const programDateTime = clock + (msn === 7 ? 30_000 : 0);
          clock = programDateTime + durationMs;
          return { msn: msn + 100, durationMs, discontinuity: msn === 7, programDateTime };
        });
        for (const row of rows) {
          live = appendListing(live, { ...row, targetDuration: TARGET_DURATION, windowSize: WINDOW, discontinuitiesBefore: 3 }).window;
        }
        const rebuilt = rebuildWindow({
          targetDuration: TARGET_DURATION,
          windowSize: WINDOW,
          rows: rows.slice(-(WINDOW * 3 + 20)),
          discontinuitiesBefore: 3 + rows.slice(0, Math.max(0, rows.length - (WINDOW * 3 + 20))).filter((r) => r.discontinuity).length,
          nextStreamMsn: 0,
          ended: false,
        });
        expect(writeMediaPlaylist(rebuilt)).toBe(writeMediaPlaylist(live!));
        expect(writeMediaPlaylist(rebuilt)).toContain('#EXT-X-PROGRAM-DATE-TIME:2026-12-01T');
      }),
    );
  });

  it('writes an overlong segment as the target duration instead of breaking rule 1', () => {
    expect(fitDuration(4600, 4)).toBe(4);
    expect(fitDuration(4400, 4)).toBe(4.4);
    expect(fitDuration(0, 4)).toBe(0.001);
  });
});

describe('a new session with another target duration', () => {
  it('continues under the declared target when not larger, starts anew when larger', () => {
    expect(continuationFor(undefined, 2)).toEqual({ targetDuration: 2, startAnew: false });
    expect(continuationFor({ targetDuration: 4, mediaSequence: 0, ended: false }, 2)).toEqual({ targetDuration: 4, startAnew: false });
    expect(continuationFor({ targetDuration: 2, mediaSequence: 0, ended: false }, 2)).toEqual({ targetDuration: 2, startAnew: false });
    expect(continuationFor({ targetDuration: 2, mediaSequence: 0, ended: false }, 4)).toEqual({ targetDuration: 4, startAnew: true });
    expect(continuationFor({ targetDuration: 2, mediaSequence: 0, ended: true }, 4)).toEqual({ targetDuration: 4, startAnew: true });
  });

  /** Lists sessions one after the other as StreamPlaylists does; returns the versions a player polling each one would see. */
  function republish(sessions: { targetDuration: number; durationsMs: number[] }[]): string[][] {
    const presentations: string[][] = [[]];
    let window: PlaylistWindow | undefined;
    let msn = 0;
    let discontinuities = 0;
    for (const [index, session] of sessions.entries()) {
      const plan = continuationFor(window && { ...window }, session.targetDuration);
      if (plan.startAnew && window) {
        presentations[presentations.length - 1].push(writeMediaPlaylist(endWindow(window)));
        presentations.push([]);
        window = undefined;
      }
      session.durationsMs.forEach((durationMs, seq) => {
        const discontinuity = index > 0 && seq === 0;
        window = appendListing(window, {
          msn,
          durationMs,
          discontinuity,
          targetDuration: session.targetDuration,
          windowSize: WINDOW,
          discontinuitiesBefore: discontinuities,
        }).window;
        if (discontinuity) discontinuities += 1;
        msn += 1;
        presentations[presentations.length - 1].push(writeMediaPlaylist(window));
      });
    }
    return presentations;
  }

  function violations(versions: string[]) {
    const validator = new PlaylistHistoryValidator();
    for (const text of versions) validator.push(text);
    return validator.violations;
  }

  it('a smaller one goes on in the same playlist, which keeps its target duration', () => {
    const presentations = republish([
      { targetDuration: 4, durationsMs: Array(8).fill(4000) },
      { targetDuration: 2, durationsMs: Array(8).fill(2000) },
    ]);
    expect(presentations).toHaveLength(1);
    expect(violations(presentations[0])).toEqual([]);
    expect(presentations[0].every((text) => parseMediaPlaylist(text).targetDuration === 4)).toBe(true);
  });

  it('a larger one ends the playlist and starts a new one that declares it', () => {
    const presentations = republish([
      { targetDuration: 2, durationsMs: Array(8).fill(2000) },
      { targetDuration: 4, durationsMs: Array(8).fill(4000) },
      { targetDuration: 1, durationsMs: Array(8).fill(1000) },
    ]);
    expect(presentations).toHaveLength(2);
    for (const versions of presentations) expect(violations(versions)).toEqual([]);
    expect(parseMediaPlaylist(presentations[0].at(-1)!)).toMatchObject({ targetDuration: 2, endList: true });
    const second = presentations[1].map((text) => parseMediaPlaylist(text));
    expect(second.every((p) => p.targetDuration === 4 && !p.endList)).toBe(true);
    // Media sequence numbers go on: a player reloading the stream never sees one again.
    expect(second[0].mediaSequence).toBe(8);
  });
});

describe('programDateTimeOf', () => {
  const at = WALL_CLOCK_START;
  it("is ingest's start time, kept after the previous listed segment (after its end at a discontinuity)", () => {
    expect(programDateTimeOf(at, undefined, false)).toBe(at);
    expect(programDateTimeOf(at + 2000, { programDateTime: at, durationMs: 2000 }, false)).toBe(at + 2000);
    expect(programDateTimeOf(at, { programDateTime: at, durationMs: 2000 }, false)).toBe(at + 1);
    expect(programDateTimeOf(at + 1000, { programDateTime: at, durationMs: 2000 }, true)).toBe(at + 2000);
    expect(programDateTimeOf(at + 60_000, { programDateTime: at, durationMs: 2000 }, true)).toBe(at + 60_000);
  });

  it('continues from the previous segment when ingest gave none, and is unknown when neither is known', () => {
    expect(programDateTimeOf(null, { programDateTime: at, durationMs: 2000 }, false)).toBe(at + 2000);
    expect(programDateTimeOf(null, { programDateTime: null, durationMs: 2000 }, false)).toBeUndefined();
    expect(programDateTimeOf(undefined, undefined, false)).toBeUndefined();
    expect(programDateTimeOf(at, { programDateTime: null, durationMs: 2000 }, true)).toBe(at);
  });
});
