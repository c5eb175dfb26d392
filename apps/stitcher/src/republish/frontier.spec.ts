import fc from 'fast-check';
import { decide, deadlineOf, type Availability, type FrontierTiming } from './frontier';

const ready: Availability = { state: 'ready' };
const absent: Availability = { state: 'absent' };
const coming: Availability = { state: 'coming' };
const failed: Availability = { state: 'failed', error: 'HTTP 500' };
const timing = (now: number): FrontierTiming => ({ now, deadlineFactor: 6, targetDurationMs: 4000 });
const ledger = (state: 'uploaded' | 'dropped' = 'uploaded') => ({ state, ingestedAt: 10_000, durationMs: 2000 });

describe('frontier decision', () => {
  it('lists a segment every variant has, without gaps', () => {
    expect(decide({ seq: 3, ledger: ledger(), variants: { '240p': ready, source: ready } }, timing(11_000))).toEqual({
      action: 'list',
      gaps: {},
    });
  });

  it('waits for a missing rendition until deadlineFactor x duration after ingest, then lists the source with a gap there', () => {
    const facts = { seq: 3, ledger: ledger(), variants: { '240p': absent, '360p': ready, source: ready } };
    expect(decide(facts, timing(21_999))).toEqual({ action: 'wait', until: 22_000 });
    expect(decide(facts, timing(22_000))).toEqual({ action: 'list', gaps: { '240p': 'not-in-playlist' }, why: 'deadline' });
  });

  it('names fetch-failed for a rendition gap that was listed upstream but could not be downloaded', () => {
    const decision = decide({ seq: 3, ledger: ledger(), variants: { '240p': failed, '360p': absent, source: ready } }, timing(99_000));
    expect(decision).toEqual({ action: 'list', gaps: { '240p': 'fetch-failed', '360p': 'not-in-playlist' }, why: 'deadline' });
  });

  it('skips the seq in every variant when the source itself is missing, for the missing variant reason', () => {
    const decision = decide({ seq: 3, ledger: ledger(), variants: { '240p': ready, source: failed } }, timing(22_000));
    expect(decision).toEqual({ action: 'skip', why: 'deadline', reasons: { '240p': 'fetch-failed', source: 'fetch-failed' } });
  });

  it('lists the source of a segment the worker dropped as soon as it is ready, with gaps in the renditions', () => {
    const dropped = { seq: 3, ledger: ledger('dropped'), variants: { '240p': absent, source: ready } };
    expect(decide(dropped, timing(10_001))).toEqual({ action: 'list', gaps: { '240p': 'not-in-playlist' }, why: 'dropped-upstream' });
    // Its source download is still running: wait for it, not past the deadline.
    expect(decide({ ...dropped, variants: { '240p': absent, source: coming } }, timing(10_001))).toEqual({ action: 'wait', until: 22_000 });
    expect(decide({ ...dropped, variants: { '240p': absent, source: coming } }, timing(22_000))).toMatchObject({
      action: 'skip',
      why: 'dropped-upstream',
    });
    // No source to list (the drop left nothing usable): skipped at once.
    expect(decide({ ...dropped, variants: { '240p': absent, source: absent } }, timing(10_001))).toMatchObject({
      action: 'skip',
      why: 'dropped-upstream',
    });
  });

  it('lists a segment the worker dropped if every variant arrived anyway', () => {
    expect(decide({ seq: 3, ledger: ledger('dropped'), variants: { '240p': ready, source: ready } }, timing(10_001)).action).toBe('list');
  });

  it("waits for a very short last segment as long as the worker works on it (a second's budget, not its own 300 ms)", () => {
    expect(deadlineOf({ ledger: { state: 'uploaded', ingestedAt: 10_000, durationMs: 300 } }, timing(0))).toBe(10_000 + 6 * 1000);
  });

  it('counts the deadline of a hole (no ledger row) from when a later segment was known', () => {
    expect(deadlineOf({ laterKnownSince: 50_000 }, timing(0))).toBe(50_000 + 6 * 4000);
    expect(decide({ seq: 7, laterKnownSince: 50_000, variants: { source: absent } }, timing(60_000)).action).toBe('wait');
    expect(decide({ seq: 7, laterKnownSince: 50_000, variants: { source: absent } }, timing(74_000)).action).toBe('skip');
  });
});

describe('frontier stall avoidance', () => {
  const listedAt = 12_000;
  const stallTiming = (now: number): FrontierTiming => ({ ...timing(now), lastListedAt: listedAt });

  it('gives a missing rendition up once a later seq is ready and a target duration passed since the last listing', () => {
    const facts = { seq: 3, ledger: ledger(), laterReady: true, variants: { '240p': absent, source: ready } };
    expect(decide(facts, stallTiming(listedAt + 3999))).toEqual({ action: 'wait', until: listedAt + 4000 });
    expect(decide(facts, stallTiming(listedAt + 4000))).toEqual({ action: 'list', gaps: { '240p': 'not-in-playlist' }, why: 'stall' });
    expect(decide({ ...facts, variants: { '240p': failed, source: ready } }, stallTiming(listedAt + 4000))).toMatchObject({
      why: 'stall',
      gaps: { '240p': 'fetch-failed' },
    });
  });

  it('lets the source set the pace when only the source of later seqs is ready (every broadcaster down)', () => {
    const facts = {
      seq: 3,
      ledger: { ...ledger(), state: 'queued' as const },
      laterSourceReady: true,
      variants: { '240p': absent, source: ready },
    };
    // 1.25 target durations: a slow transcode (or a local fallback one) still makes it.
    expect(decide(facts, stallTiming(listedAt + 4999))).toEqual({ action: 'wait', until: listedAt + 5000 });
    expect(decide(facts, stallTiming(listedAt + 5000))).toEqual({ action: 'list', gaps: { '240p': 'not-in-playlist' }, why: 'stall' });
    // Without a later source ready, the seq is waited for until its deadline.
    expect(decide({ ...facts, laterSourceReady: false }, stallTiming(listedAt + 5000))).toEqual({ action: 'wait', until: 22_000 });
    // Uploaded: a broadcaster has its renditions, they are coming; the source alone does not hurry it.
    expect(decide({ ...facts, ledger: ledger() }, stallTiming(listedAt + 5000))).toEqual({ action: 'wait', until: 22_000 });
  });

  it('skips a seq whose source is missing once a later source is ready and 1.25 target durations passed', () => {
    const facts = {
      seq: 3,
      ledger: { ...ledger(), state: 'queued' as const },
      laterSourceReady: true,
      variants: { '240p': absent, source: absent },
    };
    expect(decide(facts, stallTiming(listedAt + 5000))).toMatchObject({ action: 'skip', why: 'stall' });
  });

  it('waits the full deadline while no later seq is ready', () => {
    const facts = { seq: 3, ledger: ledger(), laterReady: false, variants: { '240p': absent, source: ready } };
    expect(decide(facts, stallTiming(21_999))).toEqual({ action: 'wait', until: 22_000 });
  });

  it('pushes an uploaded seq again once when later seqs are listed upstream and it is not', () => {
    const facts = { seq: 3, ledger: ledger(), laterSeen: true, variants: { '240p': absent, source: ready } };
    expect(decide(facts, timing(12_000))).toEqual({ action: 'repush', until: 22_000 });
    expect(decide({ ...facts, repushed: true }, timing(12_000))).toEqual({ action: 'wait', until: 22_000 });
    // Listed upstream, only its download is pending or failed: it is coming.
    expect(decide({ ...facts, variants: { '240p': failed, source: ready } }, timing(12_000)).action).toBe('wait');
    expect(decide({ ...facts, variants: { '240p': coming, source: ready } }, timing(12_000)).action).toBe('wait');
    // Not uploaded yet: the worker still has it.
    expect(decide({ ...facts, ledger: { ...ledger(), state: 'queued' as const } }, timing(12_000)).action).toBe('wait');
  });

  it('pushes an uploaded seq again at once when the broadcaster listing it cannot be reached (died after transcoding it)', () => {
    const gone = { state: 'failed' as const, error: 'GET http://b1/... ECONNREFUSED', unreachable: true };
    const facts = { seq: 3, ledger: ledger(), variants: { '240p': gone, source: ready } };
    // No later seq needed: the host itself says it will not come from there.
    expect(decide(facts, timing(12_000))).toEqual({ action: 'repush', until: 22_000 });
    expect(decide({ ...facts, repushed: true }, timing(12_000))).toEqual({ action: 'wait', until: 22_000 });
    expect(decide({ ...facts, ledger: { ...ledger(), state: 'queued' as const } }, timing(12_000)).action).toBe('wait');
  });

  it('lists the source at once, with a gap, for a seq that is not coming when a push again could not make the deadline', () => {
    const facts = { seq: 3, ledger: ledger(), laterSeen: true, variants: { '240p': absent, source: ready } };
    expect(decide(facts, timing(20_001))).toEqual({ action: 'list', gaps: { '240p': 'not-in-playlist' }, why: 'not-coming' });
  });

  it('never waits past a target duration after the last listing while a later seq is listable, and lists whenever the source is (property)', () => {
    const availability = fc.constantFrom<Availability>(ready, absent, failed, coming);
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom('240p', '360p', '720p'), availability),
        availability,
        fc.constantFrom('ingested', 'queued', 'uploaded', 'dropped') as fc.Arbitrary<'uploaded' | 'dropped'>,
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 30_000 }),
        fc.integer({ min: 0, max: 30_000 }),
        (renditions, source, state, laterReady, laterSourceReady, laterSeen, repushed, listed, elapsed) => {
          const variants = { ...renditions, source };
          const t: FrontierTiming = { ...timing(10_000 + listed + elapsed), lastListedAt: 10_000 + listed };
          const facts = { seq: 3, ledger: { ...ledger(), state }, variants, laterReady, laterSourceReady, laterSeen, repushed };
          const decision = decide(facts, t);
          const allReady = Object.values(variants).every((v) => v.state === 'ready');
          if (allReady) expect(decision).toEqual({ action: 'list', gaps: {} });
          if (decision.action === 'wait' || decision.action === 'repush') {
            expect(decision.until).toBeGreaterThan(t.now);
            expect(decision.until).toBeLessThanOrEqual(deadlineOf({ ledger: ledger() }, t));
            const undelivered = state !== 'uploaded';
            if (laterReady) expect(decision.until).toBeLessThanOrEqual(t.lastListedAt! + t.targetDurationMs);
            if (laterSourceReady && undelivered) expect(decision.until).toBeLessThanOrEqual(t.lastListedAt! + 1.25 * t.targetDurationMs);
          }
          if (decision.action === 'repush') expect(repushed).toBe(false);
          // The source is never given up while it is ready: only renditions get gaps.
          if (source.state === 'ready') expect(decision.action).not.toBe('skip');
          if (decision.action === 'list') {
            expect(source.state).toBe('ready');
            const missing = Object.keys(variants).filter((name) => variants[name as keyof typeof variants].state !== 'ready');
            expect(Object.keys(decision.gaps).sort()).toEqual(missing.sort());
          }
          if (decision.action === 'skip') expect(Object.keys(decision.reasons).sort()).toEqual(Object.keys(variants).sort());
        },
      ),
    );
  });
});
