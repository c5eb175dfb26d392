import { PIPELINE_LADDER as LADDER, validateMasterPlaylist } from '@lib/testing';
import { clearFaults, setFaults, waitFor } from './support/faults';
import { Pipeline, type CreatedStream, type PipelineOptions } from './support/pipeline';

/**
 * Degraded modes (the fault matrix's Livepeer outages): every broadcaster down, or the Livepeer
 * API unreachable, for 20 s while a stream is live. Viewers keep a stream: the `source` variant
 * lists every segment through the outage, every playlist version stays valid (the renditions
 * list the missing msns with #EXT-X-GAP, media playlists at version 8), and the renditions
 * come back at the next msn once a broadcaster does; with FALLBACK_TRANSCODE=local every
 * variant goes on, transcoded by the workers, and the session shows the fallback period.
 */
const PUBLISH_SECONDS = 44;
const FAULT_AT_SEQ = 4;
const OUTAGE_MS = 20_000;

interface DegradedCase {
  name: string;
  options: Omit<PipelineOptions, 'name'>;
  /** Breaks Livepeer for OUTAGE_MS and mends it. */
  outage(pipeline: Pipeline, broadcasters: string[]): Promise<void>;
  /** The renditions have media through the outage (local fallback, or pushes that need no API). */
  renditionsContinue: boolean;
  /** The session's fallback periods (admin API) include the outage. */
  fallback?: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function everyBroadcasterDown(_pipeline: Pipeline, broadcasters: string[]): Promise<void> {
  await Promise.all(broadcasters.map((b) => setFaults(b, { failNext: 100_000, failStatus: 503, failBody: 'No sessions available' })));
  await sleep(OUTAGE_MS);
  await Promise.all(broadcasters.map((b) => clearFaults(b)));
}

const CASES: DegradedCase[] = [
  { name: 'every broadcaster down for 20 s', options: { transcodeMode: 'copy' }, outage: everyBroadcasterDown, renditionsContinue: false },
  {
    name: 'every broadcaster down for 20 s, FALLBACK_TRANSCODE=local',
    options: { transcodeMode: 'copy', extraEnv: { FALLBACK_TRANSCODE: 'local' } },
    outage: everyBroadcasterDown,
    renditionsContinue: true,
    fallback: true,
  },
  {
    name: 'the Livepeer API unreachable for 20 s (process stopped)',
    options: { transcodeMode: 'copy' },
    // SIGSTOP: the API process (not its broadcaster processes) stops answering; connections hang.
    outage: async (pipeline) => {
      const api = pipeline.system.processes.get('livepeer-local')!;
      api.kill('SIGSTOP');
      try {
        await sleep(OUTAGE_MS);
      } finally {
        api.kill('SIGCONT');
      }
    },
    renditionsContinue: false,
  },
];

describe.each(CASES)('degraded: $name', (degraded) => {
  let pipeline: Pipeline;
  let stream: CreatedStream;

  beforeAll(async () => {
    pipeline = await Pipeline.start({ name: 'e2e-degraded', ...degraded.options });
  });
  afterAll(() => pipeline?.stop());

  it('keeps the source variant going through the outage, every playlist version valid, and the renditions back after it', async () => {
    stream = await pipeline.createStream(`degraded ${degraded.name}`);
    const broadcasters = await pipeline.broadcasters();
    const collector = pipeline.watch(stream);
    const publisher = pipeline.publish(stream, PUBLISH_SECONDS);
    await waitFor(async () => (await pipeline.ingestedSeq(stream)) >= FAULT_AT_SEQ, {
      timeoutMs: 60_000,
      intervalMs: 300,
      what: `segment ${FAULT_AT_SEQ} ingested`,
    });
    const outageFromSeq = await pipeline.ingestedSeq(stream);
    await degraded.outage(pipeline, broadcasters);
    const outageToSeq = await pipeline.ingestedSeq(stream);
    await publisher.exited;
    await collector.untilEnded(120_000);

    const watcher = collector.watcher;
    expect(watcher.violations(), 'HLS rule violations').toEqual([]);
    expect(validateMasterPlaylist(watcher.masterText!), 'master playlist violations').toEqual([]);
    expect([...watcher.media.keys()].sort()).toEqual([...LADDER, 'source'].sort());

    const [session] = await pipeline.sessions(stream);
    const timeline = await pipeline.timeline(session.id);
    const sourceListed = timeline.filter((e) => e.renditions.source?.state === 'republished');
    const during = timeline.filter((e) => e.seq > outageFromSeq && e.seq <= outageToSeq);
    const states = timeline.map((e) => `${e.seq}:${e.state}${e.dropReason ? `(${e.dropReason})` : ''}`).join(' ');
    expect(during.length, `segments ingested during the outage (${outageFromSeq + 1}-${outageToSeq}; ${states})`).toBeGreaterThanOrEqual(8);
    // Viewers keep a stream: the source lists every segment of the outage.
    expect(
      during.filter((e) => e.renditions.source?.state !== 'republished').map((e) => e.seq),
      'outage segments missing in source',
    ).toEqual([]);
    expect(timeline.length - sourceListed.length, 'segments missing in source overall').toBeLessThanOrEqual(1);

    const gaps = Object.fromEntries(LADDER.map((r) => [r, watcher.media.get(r)!.gaps.size]));
    if (degraded.renditionsContinue) {
      // Every variant goes on: most outage segments have media in every rendition (a local
      // transcode slower than the cadence on a loaded machine leaves a gap now and then).
      const complete = during.filter((e) => LADDER.every((r) => e.renditions[r]?.state === 'republished'));
      expect(complete.length, `outage segments in every rendition, gaps ${JSON.stringify(gaps)}`).toBeGreaterThanOrEqual(
        Math.ceil(0.6 * during.length),
      );
    } else if (degraded.name.startsWith('every broadcaster')) {
      for (const r of LADDER) expect(gaps[r], `${r} gaps during the outage`).toBeGreaterThanOrEqual(5);
    }
    // The renditions are back after the outage (once the broadcasters are offered again: their
    // cooldowns), under the same media sequence: the last segments have every variant.
    const withMedia = (e: (typeof timeline)[number]) => LADDER.every((r) => e.renditions[r]?.state === 'republished');
    const back = timeline.find((e) => e.seq > outageToSeq && withMedia(e));
    expect(back, 'a segment with every rendition after the outage').toBeDefined();
    for (const entry of timeline.slice(-3)) expect(withMedia(entry), `seq ${entry.seq} in every rendition`).toBe(true);
    const msns = timeline.map((e) => e.renditions.source?.msn).filter((m): m is number => typeof m === 'number');
    expect(msns, 'one msn per listed seq, no gap in the media sequence').toEqual(msns.map((_m, i) => msns[0] + i));

    if (degraded.fallback) {
      const detail = await pipeline.admin<{ fallback: { segments: number; periods: Array<{ fromSeq: number; toSeq: number }> } }>(
        `/api/sessions/${session.id}`,
      );
      expect(detail.fallback.segments).toBeGreaterThanOrEqual(5);
      expect(detail.fallback.periods.some((p) => p.fromSeq <= outageFromSeq + 3 && p.toSeq >= outageToSeq - 3)).toBe(true);
    }
    const stalls = watcher.stalls([{ from: 0, to: Date.now() }]).filter((s) => s.rendition === 'source');
    console.log(
      `[degraded] ${degraded.name}: seqs ${timeline.length}, outage seqs ${outageFromSeq + 1}-${outageToSeq}, renditions back at seq ${back?.seq}, source listed ${sourceListed.length}, gaps ${JSON.stringify(gaps)}, longest source gap ${Math.max(0, ...stalls.map((s) => s.ms))} ms`,
    );
  });
});
