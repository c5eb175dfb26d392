import type { OverviewCard } from './api-types';
import { DELAY_SORT_STEP_MS, delayBehindLiveMs, delayText, sortByTrouble, troubleOf } from './overview-logic';

const NOW = 1_800_000_000_000;

function card(fields: Partial<OverviewCard> & { sessionId: string }): OverviewCard {
  return {
    streamId: fields.sessionId,
    streamName: fields.sessionId,
    playbackId: 'p',
    state: 'live',
    startedAt: NOW - 60_000,
    targetDuration: 2,
    newestProgramDateTime: NOW - 4000,
    newestDurationMs: 2000,
    drops: { total: 0, byReason: {} },
    transcode: null,
    ...fields,
  };
}

describe('delayBehindLiveMs', () => {
  it('is now minus the end of the newest listed segment (its program date-time plus its duration)', () => {
    expect(delayBehindLiveMs(NOW - 5000, 2000, NOW)).toBe(3000);
  });

  it('is null before anything is listed, and never negative when the clocks disagree', () => {
    expect(delayBehindLiveMs(null, null, NOW)).toBeNull();
    expect(delayBehindLiveMs(NOW + 1000, 2000, NOW)).toBe(0);
  });

  it('takes a segment without a known duration as ending where it starts', () => {
    expect(delayBehindLiveMs(NOW - 5000, null, NOW)).toBe(5000);
  });
});

describe('troubleOf', () => {
  it('finds nothing wrong with a stream close to live without drops', () => {
    expect(troubleOf(card({ sessionId: 'a' }), NOW)).toEqual({ level: 0, reasons: [] });
  });

  it('grades the delay against the target duration', () => {
    expect(troubleOf(card({ sessionId: 'a', newestProgramDateTime: NOW - 9000 }), NOW).level).toBe(1); // 7 s > 3 x 2 s
    const far = troubleOf(card({ sessionId: 'a', newestProgramDateTime: NOW - 20_000 }), NOW);
    expect(far.level).toBe(2);
    expect(far.reasons[0]).toContain('far behind live (18 s)');
  });

  it('counts drops, a failing transcoder and a speed below real time, worst reason first', () => {
    const t = troubleOf(
      card({ sessionId: 'a', drops: { total: 1, byReason: { 'fetch-failed': 1 } }, transcode: { status: 'ok', speedFactor: 0.8 } }),
      NOW,
    );
    expect(t.level).toBe(2);
    expect(t.reasons).toEqual(['transcoding slower than real time (0.80x)', '1 segment dropped']);
    expect(troubleOf(card({ sessionId: 'a', transcode: { status: 'failed', speedFactor: null } }), NOW).reasons).toEqual([
      'transcode failed',
    ]);
  });

  it('tells a stream just starting from one that never got going', () => {
    const fresh = card({ sessionId: 'a', startedAt: NOW - 3000, newestProgramDateTime: null, newestDurationMs: null });
    expect(troubleOf(fresh, NOW)).toEqual({ level: 1, reasons: ['nothing republished yet'] });
    expect(troubleOf({ ...fresh, startedAt: NOW - 60_000 }, NOW).level).toBe(2);
  });
});

describe('sortByTrouble', () => {
  it('puts trouble first, then more drops, then the larger delay, then the name', () => {
    const cards = [
      card({ sessionId: 'fine-b', streamName: 'b' }),
      card({ sessionId: 'fine-a', streamName: 'a' }),
      card({ sessionId: 'late', newestProgramDateTime: NOW - 9000 }),
      card({ sessionId: 'dropping', drops: { total: 7, byReason: { 'deadline-exceeded': 7 } } }),
      card({ sessionId: 'slow', transcode: { status: 'ok', speedFactor: 0.5 } }),
      card({ sessionId: 'one-drop', drops: { total: 1, byReason: { 'fetch-failed': 1 } } }),
    ];
    expect(sortByTrouble(cards, NOW).map((c) => c.sessionId)).toEqual(['dropping', 'slow', 'one-drop', 'late', 'fine-a', 'fine-b']);
  });

  it('keeps cards still when their delays differ by less than a step', () => {
    const cards = [
      card({ sessionId: 'b', streamName: 'b', newestProgramDateTime: NOW - 5000 }),
      card({ sessionId: 'a', streamName: 'a', newestProgramDateTime: NOW - 4000 }),
      card({ sessionId: 'c', streamName: 'c', newestProgramDateTime: NOW - 5000 - DELAY_SORT_STEP_MS }),
    ];
    // c is 13 s behind (level 2 at a 2 s target); a and b (2 s and 3 s behind) keep their name order.
    expect(sortByTrouble(cards, NOW).map((c) => c.sessionId)).toEqual(['c', 'a', 'b']);
    const tenSecondTarget = cards.map((c) => ({ ...c, targetDuration: 10 })); // all fine: c still first, further behind by a step
    expect(sortByTrouble(tenSecondTarget, NOW).map((c) => c.sessionId)).toEqual(['c', 'a', 'b']);
  });

  it('does not reorder its input', () => {
    const cards = [card({ sessionId: 'x' }), card({ sessionId: 'y', drops: { total: 9, byReason: {} } })];
    sortByTrouble(cards, NOW);
    expect(cards.map((c) => c.sessionId)).toEqual(['x', 'y']);
  });
});

describe('delayText', () => {
  it('reads as seconds, then minutes', () => {
    expect(delayText(null)).toBe('not live yet');
    expect(delayText(3456)).toBe('3.5 s');
    expect(delayText(125_000)).toBe('2 min 5 s');
  });
});
