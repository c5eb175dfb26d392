import path from 'node:path';
import { databaseConfig, s3Config } from '@lib/config';
import { DROP_REASONS, RenditionSegmentEntity, SegmentEntity, SessionEntity, openDataSource } from '@lib/database';
import { objectKeys } from '@lib/storage';
import { startEmbeddedS3 } from '@lib/runtime';
import { waitFor } from './support/faults';
import { CreatedStream, Pipeline } from './support/pipeline';
import type { TimelineEntry } from '@lib/testing';

/**
 * Supervision (docs/architecture.md, "Supervision and shutdown"): a process of the
 * system killed with SIGKILL while a stream publishes is restarted by the launcher,
 * the stream republishes again within 15 s (the encoder reconnects when ingest died),
 * and at most 3 segments are lost, each dropped with a reason. Then: a stop while a
 * stream is live goes in data-flow order, and ingest's last segments reach the stores.
 */
const PUBLISH_SECONDS = 30;
const FAULT_AT_SEQ = 4;
const MAX_LOST = 3;
const FINAL = new Set(['republished', 'dropped']);

/**
 * A segment's outcome: the ledger's (republished, or dropped by ingest/worker), or a skip by the
 * stitcher, which the rendition rows record (the ledger row then keeps the worker's state).
 */
function outcomeOf(entry: TimelineEntry): { final: boolean; state: string; reason: string | null } {
  const skipped = Object.values(entry.renditions).find((r) => r.state === 'dropped');
  if (FINAL.has(entry.state)) return { final: true, state: entry.state, reason: entry.dropReason ?? skipped?.dropReason ?? null };
  if (skipped) return { final: true, state: 'dropped', reason: skipped.dropReason };
  return { final: false, state: entry.state, reason: null };
}
const options = {
  transcodeMode: 'copy' as const,
  supervised: true,
  // A killed ingest cannot release its publish lock: the reconnect waits for its expiry.
  extraEnv: { INGEST_PUBLISH_LOCK_TTL_MS: 3000 },
};

async function newestSegment(pipeline: Pipeline, stream: CreatedStream): Promise<{ sessionId: string; seq: number }> {
  const sessions = await pipeline.sessions(stream);
  const last = sessions[sessions.length - 1];
  const timeline = await pipeline.timeline(last.id);
  return { sessionId: last.id, seq: timeline.length ? timeline[timeline.length - 1].seq : -1 };
}

describe.each(['ingest', 'worker-1', 'stitcher', 's3'])('supervision: %s killed with SIGKILL', (name) => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await Pipeline.start({ name: 'e2e-supervision', ...options });
  });
  afterAll(() => pipeline?.stop());

  it('is restarted, the stream republishes again within 15 s, and at most 3 segments are lost, each with a reason', async () => {
    const stream = await pipeline.createStream(`supervision ${name}`);
    const collector = pipeline.watch(stream);
    const publisher = pipeline.publishWithReconnects(stream, PUBLISH_SECONDS);
    await waitFor(async () => (await pipeline.ingestedSeq(stream)) >= FAULT_AT_SEQ, {
      timeoutMs: 60_000,
      intervalMs: 300,
      what: `segment ${FAULT_AT_SEQ} ingested`,
    });
    const killed = pipeline.system.processes.get(name)!;
    killed.kill('SIGKILL');
    const faultAt = Date.now();
    await waitFor(() => pipeline.systemLog.some((l) => l.startsWith(`restarted ${name}`)), {
      timeoutMs: 15_000,
      what: `${name} restarted`,
    });
    expect(pipeline.system.processes.get(name)!.pid).not.toBe(killed.pid);
    expect(pipeline.systemLog).toContain(`${name} exited (signal SIGKILL); restarting it in 500 ms`);
    // Republishing again: a segment ingested after the restart is listed in the playlists.
    const mark = await newestSegment(pipeline, stream);
    await waitFor(
      async () => {
        const sessions = await pipeline.sessions(stream);
        const newer = sessions.slice(sessions.findIndex((s) => s.id === mark.sessionId));
        for (const session of newer) {
          const timeline = await pipeline.timeline(session.id);
          if (timeline.some((e) => e.state === 'republished' && (session.id !== mark.sessionId || e.seq > mark.seq))) return true;
        }
        return false;
      },
      {
        timeoutMs: Math.max(1000, faultAt + 15_000 - Date.now()),
        intervalMs: 300,
        what: 'a segment ingested after the restart republished within 15 s of the kill',
      },
    );
    await publisher.done;
    // The newest session's segments all reach a final state (those of a killed ingest's session may not).
    const newest = await newestSegment(pipeline, stream);
    await waitFor(async () => (await pipeline.timeline(newest.sessionId)).every((e) => outcomeOf(e).final), {
      timeoutMs: 60_000,
      what: 'every segment republished or dropped',
    });
    collector.watcher.stop();
    expect(collector.watcher.violations(), 'HLS rule violations').toEqual([]);

    const lost: Array<{ session: string; seq: number; state: string; reason: string | null }> = [];
    for (const session of await pipeline.sessions(stream)) {
      for (const entry of await pipeline.timeline(session.id)) {
        const outcome = outcomeOf(entry);
        if (outcome.state === 'republished') continue;
        lost.push({ session: session.id, seq: entry.seq, state: outcome.state, reason: outcome.reason });
      }
    }
    expect(lost.length, `lost: ${JSON.stringify(lost)}`).toBeLessThanOrEqual(MAX_LOST);
    for (const segment of lost) {
      if (name === 'ingest' && segment.state !== 'dropped') continue; // left behind by the killed ingest itself
      expect(segment.state, JSON.stringify(segment)).toBe('dropped');
      expect(DROP_REASONS).toContain(segment.reason);
    }
    if (name === 'ingest') expect(publisher.attempts).toBeGreaterThan(1);
    console.log(`[supervision] ${name}: restarted, lost ${JSON.stringify(lost)}, publisher runs ${publisher.attempts}`);
  });
});

describe('shutdown while a stream is live', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await Pipeline.start({ name: 'e2e-shutdown', ...options });
  });
  afterAll(() => pipeline?.stop());

  it('stops ingest, workers, stitcher, livepeer-local, then the object store; the last segment is republished and every playlist ends', async () => {
    const stream = await pipeline.createStream('shutdown order');
    const publisher = pipeline.publish(stream, 60);
    await waitFor(async () => (await pipeline.ingestedSeq(stream)) >= 3, {
      timeoutMs: 60_000,
      intervalMs: 300,
      what: 'segment 3 ingested',
    });
    const { sessionId } = await newestSegment(pipeline, stream);
    await pipeline.system.stop();
    await publisher.stop();

    const stopped = pipeline.systemLog.filter((l) => l.startsWith('stopped ')).map((l) => l.split(' ')[1]);
    expect(stopped).toEqual([
      'ingest',
      expect.stringMatching(/^worker-/),
      expect.stringMatching(/^worker-/),
      'stitcher',
      'livepeer-local',
      's3',
    ]);
    expect(pipeline.systemLog.filter((l) => l.startsWith('stopping '))).toEqual([
      'stopping ingest',
      'stopping worker-1, worker-2',
      'stopping stitcher',
      'stopping livepeer-local',
      'stopping s3',
    ]);
    // Ingest flushed its last (partial) segment while the stores were up, the workers delivered
    // it and the stitcher listed it before stopping: every segment is republished, none dropped.
    const ds = await openDataSource(databaseConfig.load(pipeline.env.vars()), false);
    /** Media sequence number of the last segment in each variant's playlist. */
    const lastMsn = new Map<string, number | null>();
    try {
      const rows = await ds.getRepository(SegmentEntity).find({ where: { sessionId }, order: { seq: 'ASC' } });
      expect(rows.length).toBeGreaterThanOrEqual(4);
      expect(
        rows.filter((r) => r.state !== 'republished').map((r) => ({ seq: r.seq, state: r.state, reason: r.dropReason })),
        'segments not republished',
      ).toEqual([]);
      const lastSeq = rows[rows.length - 1].seq;
      for (const r of await ds.getRepository(RenditionSegmentEntity).find({ where: { sessionId, seq: lastSeq } }))
        lastMsn.set(r.rendition, r.msn);
      expect(lastMsn.size).toBe(3); // two renditions and the source
      // The stitcher closed the playlists at its shutdown, not after the reconnect grace.
      const session = await ds.getRepository(SessionEntity).findOneByOrFail({ id: sessionId });
      expect(session.state).toBe('ended');
      expect(session.playlistEndedAt).not.toBeNull();
    } finally {
      await ds.destroy();
    }
    // What players read last: the object store, opened again on the launcher's data, holds
    // media playlists that all end with #EXT-X-ENDLIST after the last segment.
    const { accessKey, secretKey } = s3Config.load(pipeline.env.vars());
    const s3 = await startEmbeddedS3({
      port: Number(new URL(pipeline.system.urls.s3).port),
      directory: path.join(pipeline.env.tmpDir, 'data', 's3'),
      credentials: { accessKey, secretKey },
    });
    try {
      for (const [variant, msn] of lastMsn) {
        const key = objectKeys.hlsMedia(stream.playbackId, variant);
        const lines = (await pipeline.storage.getBuffer(key)).toString().trimEnd().split('\n');
        expect(lines[lines.length - 1], key).toBe('#EXT-X-ENDLIST');
        expect(lines[lines.length - 2], `${key}: the last segment listed before the end`).toMatch(new RegExp(`(^|/)${msn}\\.ts$`));
      }
    } finally {
      await s3.close();
    }
  });
});
