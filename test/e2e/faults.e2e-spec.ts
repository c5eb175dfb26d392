import { broadcasterStatus, pushCounts, setFaults, startRedisServerAgain, waitFor } from './support/faults';
import { CreatedStream, Pipeline, PipelineOptions, checkOutcome, describeLags } from './support/pipeline';

/**
 * The fault matrix: each case publishes over RTMP, breaks one part of the system once
 * segment 4 is ingested, and then checks the same things as the base run: every
 * playlist version valid (so the media sequence never goes back), every ingested
 * segment republished or dropped with a reason, drops within the case's limit, and at
 * least 5 segments republished after the fault.
 *
 * Publishes last 24 s rather than 20 s: 12 segments, so that "5 republished after the
 * fault at segment 4" still holds when a case spends its 2 allowed drops.
 */
const PUBLISH_SECONDS = 24;
const FAULT_AT_SEQ = 4;

interface FaultCase {
  name: string;
  options: Omit<PipelineOptions, 'name'>;
  maxDrops: number;
  /** Breaks the system; may publish again (reconnect) and return the extra publisher. */
  inject(pipeline: Pipeline, stream: CreatedStream, publisher: { stop(): Promise<void> }): Promise<void>;
  /**
   * The stall rule holds for this fault (asserted); the others are measured and logged. A
   * restart of Redis, S3 or the stitcher stops every segment behind it: none leaves a later
   * segment ready to skip to, so their playlists wait while it is down.
   */
  stallFree?: boolean;
  /** Whether the republished-after-fault count applies to a new session (reconnect). */
  newSession?: boolean;
}

/** The broadcaster that has received the most pushes: the one the session is assigned to. */
async function activeBroadcaster(pipeline: Pipeline): Promise<string> {
  const counts = await Promise.all((await pipeline.broadcasters()).map(async (b) => ({ b, n: (await pushCounts(b)).received })));
  return counts.sort((x, y) => y.n - x.n)[0].b;
}

async function killBroadcaster(address: string): Promise<void> {
  const { pid } = await broadcasterStatus(address);
  process.kill(pid, 'SIGKILL');
}

const CASES: FaultCase[] = [
  {
    name: 'a broadcaster killed with SIGKILL (real transcoding)',
    stallFree: true,
    options: { transcodeMode: 'ffmpeg' },
    maxDrops: 2,
    inject: async (pipeline) => killBroadcaster(await activeBroadcaster(pipeline)),
  },
  {
    name: 'a broadcaster killed with SIGKILL, renditions from the playlists (WORKER_MULTIPART=false)',
    stallFree: true,
    options: { transcodeMode: 'copy', extraEnv: { WORKER_MULTIPART: 'false' } },
    maxDrops: 2,
    inject: async (pipeline) => killBroadcaster(await activeBroadcaster(pipeline)),
  },
  {
    // The session changes paths mid-stream: push answers with renditions before, playlists after.
    name: 'a broadcaster killed with SIGKILL, the next one answering without renditions',
    stallFree: true,
    options: { transcodeMode: 'copy' },
    maxDrops: 2,
    inject: async (pipeline) => {
      const active = await activeBroadcaster(pipeline);
      for (const other of (await pipeline.broadcasters()).filter((b) => b !== active)) await setFaults(other, { noParts: true });
      await killBroadcaster(active);
    },
  },
  {
    name: 'a burst of 503s from a broadcaster',
    stallFree: true,
    options: { transcodeMode: 'copy' },
    maxDrops: 2,
    inject: async (pipeline) =>
      setFaults(await activeBroadcaster(pipeline), { failNext: 5, failStatus: 503, failBody: 'No sessions available' }),
  },
  {
    // The late push is hedged to the other broadcaster (apps/worker/src/upload/hedge-policy.ts).
    name: 'a broadcaster that hangs',
    stallFree: true,
    options: { transcodeMode: 'copy' },
    maxDrops: 2,
    inject: async (pipeline) => setFaults(await activeBroadcaster(pipeline), { hangNext: 3 }),
  },
  {
    name: 'a worker killed with SIGKILL',
    stallFree: true,
    options: { transcodeMode: 'copy' },
    maxDrops: 2,
    inject: async (pipeline) => pipeline.system.processes.get('worker-1')!.kill('SIGKILL'),
  },
  {
    name: 'Redis restarted',
    options: { transcodeMode: 'copy', privateRedis: true },
    maxDrops: 0,
    inject: async (pipeline) => startRedisServerAgain(pipeline, 2000),
  },
  {
    name: 'the S3 server restarted',
    options: { transcodeMode: 'copy' },
    maxDrops: 0,
    inject: async (pipeline) => pipeline.system.restart('s3'),
  },
  {
    name: 'the stitcher restarted',
    options: { transcodeMode: 'copy' },
    maxDrops: 0,
    inject: async (pipeline) => pipeline.system.restart('stitcher', { kill: true }),
  },
  {
    name: 'the publisher disconnecting and reconnecting',
    options: { transcodeMode: 'copy', extraEnv: { STITCHER_END_GRACE_MS: 15_000 } },
    maxDrops: 2,
    newSession: true,
    inject: async (_pipeline, _stream, publisher) => publisher.stop(),
  },
];

/** The longest stall measured (0 when none went over 1.5 x target duration). */
function longestGap(outcome: { stalls: Array<{ ms: number }> }): number {
  return Math.max(0, ...outcome.stalls.map((s) => s.ms));
}

// A loop rather than describe.each: each case keeps its whole name (describe.each truncates $name).
for (const fault of CASES)
  describe(`fault: ${fault.name}`, () => {
    let pipeline: Pipeline;
    let stream: CreatedStream;

    beforeAll(async () => {
      pipeline = await Pipeline.start({ name: `e2e-fault`, ...fault.options });
    });
    afterAll(() => pipeline?.stop());

    it('keeps the playlists valid and loses at most the stated number of segments, each with its reason', async () => {
      stream = await pipeline.createStream(`fault ${fault.name}`);
      const collector = pipeline.watch(stream);
      const liveWindows = [{ from: Date.now(), to: 0 }];
      const publisher = pipeline.publish(stream, PUBLISH_SECONDS);
      await waitFor(async () => (await pipeline.ingestedSeq(stream)) >= FAULT_AT_SEQ, {
        timeoutMs: 60_000,
        intervalMs: 300,
        what: `segment ${FAULT_AT_SEQ} ingested`,
      });
      await fault.inject(pipeline, stream, publisher);
      if (fault.newSession) {
        liveWindows[0].to = Date.now(); // disconnected from here until the second publisher starts
        // The encoder comes back with the same key: a new session of the same stream.
        await waitFor(async () => (await pipeline.sessions(stream)).every((s) => s.state === 'ended' || s.state === 'failed'), {
          timeoutMs: 30_000,
          what: 'the first session to end',
        });
        const second = { from: Date.now(), to: 0 };
        liveWindows.push(second);
        await pipeline.publish(stream, 14, 'publisher-2').exited;
        second.to = Date.now();
      } else {
        await publisher.exited;
        liveWindows[0].to = Date.now();
      }
      await collector.untilEnded(120_000);
      const outcome = await checkOutcome(pipeline, stream, collector, {
        maxDrops: fault.maxDrops,
        liveWindows,
        stallFree: fault.stallFree ?? false,
        republishedAfter: fault.newSession ? { seq: -1, atLeast: 5 } : { seq: FAULT_AT_SEQ, atLeast: 5 },
      });
      if (fault.newSession) {
        expect((await pipeline.sessions(stream)).length).toBe(2);
        const discontinuities = collector.watcher.media.get('source')!.last!.match(/#EXT-X-DISCONTINUITY\n/g) ?? [];
        expect(
          discontinuities.length + Number(/#EXT-X-DISCONTINUITY-SEQUENCE:([1-9])/.test(collector.watcher.media.get('source')!.last!)),
        ).toBeGreaterThan(0);
      }
      console.log(
        `[fault] ${fault.name}: ingested ${outcome.ingested}, republished ${outcome.republished}, drops ${JSON.stringify(outcome.drops)}, longest gap while live ${longestGap(outcome)} ms; ${describeLags(outcome.lags)}`,
      );
    });
  });
