/**
 * Ingest benchmark (issue 4): N concurrent RTMP publishers into one ingest process; per
 * segment the ingest latency (segment closed -> upload job enqueued), the CPU of the
 * ingest process tree (ingest segments in process; any child process would be counted too),
 * the RSS of the node process and the summed RSS of its children (shared library pages are
 * counted in each), the per-publish cost (CPU ms per publish-second; the tree's peak RSS
 * above the idle ingest's, measured once before the first run, over N), and whether it kept up.
 *
 *   node scripts/build.mjs
 *   npx vite-node --config vitest.config.ts bench/ingest.ts -- --publishers 1,10,50 --seconds 30
 *
 * Set-up: livepeer-local (API only), the built ingest app, the machine's Redis and
 * PostgreSQL, the embedded S3 server (in this process). A 640x360 30 fps H.264/AAC file
 * with a 2 s GOP is encoded once; each publisher replays it with
 * `ffmpeg -re -stream_loop -1 -c copy`, so publishers cost no encoding. Nothing consumes
 * the upload queue (no worker): this measures ingest alone.
 *
 * "Kept up" for a run: no segment dropped, p99 latency below one segment duration (2 s),
 * and the segments cut cover at least 90 % of the time each publisher was live. Last, the CPU of
 * the segmenting alone (FLV -> MPEG-TS of the same source, in this process, no I/O).
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { DataSource } from 'typeorm';
import { databaseConfig } from '@lib/config';
import { SegmentEntity, SessionEntity, StreamEntity, openDataSource } from '@lib/database';
import { ManagedProcess } from '@lib/runtime';
import { testPatternArgs } from '@lib/media';
import { generatePlaybackId, generateStreamKey, hashStreamKey } from '@lib/streams';
import { TestEnv, spawnApp, waitFor, type RunningApp } from '@lib/testing';
import { percentile } from './support/proc-stats';
import { segmentingCpuMsPerMediaSecond } from './support/segmenting-cost';

const { values: args } = parseArgs({
  options: {
    publishers: { type: 'string', default: '1,10' },
    seconds: { type: 'string', default: '30' },
    width: { type: 'string', default: '640' },
    height: { type: 'string', default: '360' },
  },
  allowPositionals: true,
});
const COUNTS = args.publishers!.split(',').map(Number);
const SECONDS = Number(args.seconds);
const SEGMENT_MS = 2000;
const CLOCK_TICKS = 100;

interface RunResult {
  publishers: number;
  segments: number;
  dropped: number;
  coverage: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  cpuPercent: number;
  peakRssMb: number;
  peakChildrenRssMb: number;
  cpuMsPerPublishSecond: number;
  rssPerPublishMb: number;
  sustained: boolean;
}

/** CPU ticks and RSS of a process and its direct children, from /proc. */
function processTree(pid: number): { ticks: Map<number, number>; rssKb: number; childrenRssKb: number } {
  const ticks = new Map<number, number>();
  let rssKb = 0;
  let childrenRssKb = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = Number(fields[1]);
      const id = Number(entry);
      if (id !== pid && ppid !== pid) continue;
      ticks.set(id, Number(fields[11]) + Number(fields[12]));
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      if (id === pid) rssKb = rss;
      else childrenRssKb += rss;
    } catch {
      // the process ended between listing and reading
    }
  }
  return { ticks, rssKb, childrenRssKb };
}

/** Samples the ingest process tree once a second; CPU is the sum of every process's ticks in the window. */
function sampleTree(pid: number, idleTreeRssKb: number) {
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  let peakRssKb = 0;
  let peakChildrenRssKb = 0;
  let peakTreeRssKb = 0;
  const sample = () => {
    const { ticks, rssKb, childrenRssKb } = processTree(pid);
    peakChildrenRssKb = Math.max(peakChildrenRssKb, childrenRssKb);
    peakTreeRssKb = Math.max(peakTreeRssKb, rssKb + childrenRssKb);
    for (const [id, t] of ticks) {
      if (!first.has(id)) first.set(id, id === pid ? t : 0);
      last.set(id, t);
    }
    peakRssKb = Math.max(peakRssKb, rssKb);
  };
  sample();
  const started = Date.now();
  const timer = setInterval(sample, 1000);
  return () => {
    clearInterval(timer);
    sample();
    let ticks = 0;
    for (const [id, t] of last) ticks += t - (first.get(id) ?? 0);
    const seconds = (Date.now() - started) / 1000;
    return {
      cpuPercent: (100 * ticks) / CLOCK_TICKS / seconds,
      cpuMs: (1000 * ticks) / CLOCK_TICKS,
      peakRssMb: peakRssKb / 1024,
      peakChildrenRssMb: peakChildrenRssKb / 1024,
      /** what the publishes added to the idle ingest's RSS, at the run's peak */
      addedRssMb: Math.max(0, peakTreeRssKb - idleTreeRssKb) / 1024,
    };
  };
}

async function encodeSource(dir: string): Promise<string> {
  const file = path.join(dir, 'source.flv');
  execFileSync('ffmpeg', [
    ...testPatternArgs({
      seconds: 20,
      gopFrames: 60,
      size: { width: Number(args.width), height: Number(args.height) },
      preset: 'veryfast',
      videoBitrate: '800k',
    }),
    '-f',
    'flv',
    file,
  ]);
  return file;
}

async function createStreams(db: DataSource, count: number): Promise<{ id: string; key: string }[]> {
  const streams = Array.from({ length: count }, () => ({ id: randomUUID(), key: generateStreamKey() }));
  const now = Date.now();
  await db.getRepository(StreamEntity).insert(
    streams.map((s, i) => ({
      id: s.id,
      name: `bench-${i}`,
      ladder: { presets: ['P144p30fps16x9'] },
      keyHash: hashStreamKey(s.key),
      playbackId: generatePlaybackId(),
      enabled: true,
      createdAt: now,
      updatedAt: now,
    })),
  );
  return streams;
}

async function run(
  count: number,
  ingest: RunningApp,
  rtmpPort: number,
  db: DataSource,
  source: string,
  idleTreeRssKb: number,
): Promise<RunResult> {
  const streams = await createStreams(db, count);
  const stop = sampleTree(ingest.proc.pid!, idleTreeRssKb);
  // Publishers start spread over one segment duration, as independent encoders would, not in lockstep.
  const publishers: ManagedProcess[] = [];
  const startedAt: number[] = [];
  const started = Date.now();
  for (const [i, s] of streams.entries()) {
    await new Promise((r) => setTimeout(r, Math.max(0, started + (i * SEGMENT_MS) / count - Date.now())));
    startedAt.push(Date.now());
    publishers.push(
      new ManagedProcess({
        name: `pub-${i}`,
        command: 'ffmpeg',
        args: [
          '-nostdin',
          '-hide_banner',
          '-loglevel',
          'error',
          '-re',
          '-stream_loop',
          '-1',
          '-i',
          source,
          '-c',
          'copy',
          '-f',
          'flv',
          `rtmp://127.0.0.1:${rtmpPort}/live/${s.key}`,
        ],
      }),
    );
  }
  await new Promise((r) => setTimeout(r, Math.max(0, started + SECONDS * 1000 - Date.now())));
  await Promise.all(publishers.map((p) => p.stop(5000)));
  const stoppedAt = Date.now();
  const liveSeconds = startedAt.reduce((sum, t) => sum + (stoppedAt - t) / 1000, 0);
  const ids = streams.map((s) => s.id);
  const sessions = await waitFor(
    async () => {
      const rows = await db.getRepository(SessionEntity).createQueryBuilder('s').where('s.stream_id IN (:...ids)', { ids }).getMany();
      return rows.length === count && rows.every((r) => r.state === 'ended' || r.state === 'failed') ? rows : null;
    },
    { timeoutMs: 60_000, what: 'every session to end' },
  );
  const { cpuPercent, cpuMs, peakRssMb, peakChildrenRssMb, addedRssMb } = stop();
  const segments = await db
    .getRepository(SegmentEntity)
    .createQueryBuilder('g')
    .where('g.session_id IN (:...ids)', { ids: sessions.map((s) => s.id) })
    .getMany();
  const latencies = segments
    .filter((s) => s.queuedAt)
    .map((s) => s.queuedAt! - s.ingestedAt)
    .sort((a, b) => a - b);
  const dropped = segments.filter((s) => s.state === 'dropped').length;
  const mediaSeconds = segments.reduce((sum, s) => sum + s.durationMs, 0) / 1000;
  const coverage = mediaSeconds / liveSeconds;
  const p99 = percentile(latencies, 99);
  return {
    publishers: count,
    segments: segments.length,
    dropped,
    coverage,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99,
    max: latencies[latencies.length - 1] ?? NaN,
    cpuPercent,
    peakRssMb,
    peakChildrenRssMb,
    cpuMsPerPublishSecond: cpuMs / liveSeconds,
    rssPerPublishMb: addedRssMb / count,
    sustained: dropped === 0 && p99 < SEGMENT_MS && coverage >= 0.9 && sessions.every((s) => s.state === 'ended'),
  };
}

async function main() {
  const env = await TestEnv.create({ name: 'bench-ingest' });
  let livepeer: RunningApp | undefined;
  let ingest: RunningApp | undefined;
  let db: DataSource | undefined;
  try {
    const source = await encodeSource(env.tmpDir);
    livepeer = await spawnApp('livepeer-local', env.processEnv({ LIVEPEER_LOCAL_BROADCASTERS: 0 }));
    const vars = env.processEnv({ LIVEPEER_API_URL: `${livepeer.url}/api`, INGEST_SPOOL_DIR: path.join(env.tmpDir, 'spool') });
    ingest = await spawnApp('ingest', vars);
    const rtmpPort = await ingest.proc.waitForListening('rtmp');
    db = await openDataSource(databaseConfig.load(vars as Record<string, string>), false);
    const idle = processTree(ingest.proc.pid!);
    const idleTreeRssKb = idle.rssKb + idle.childrenRssKb;
    const results: RunResult[] = [];
    for (const count of COUNTS) {
      process.stdout.write(`running ${count} publisher(s) for ${SECONDS} s...\n`);
      results.push(await run(count, ingest, rtmpPort, db, source, idleTreeRssKb));
    }
    const ms = (v: number) => (Number.isFinite(v) ? `${Math.round(v)}` : '-');
    console.log(
      `\ningest, ${args.width}x${args.height} 30 fps ~0.9 Mbit/s copies, ${SECONDS} s per run, 2 s segments; latency = segment closed -> job enqueued (ms); idle ingest RSS ${(idleTreeRssKb / 1024).toFixed(0)} MB; CPU per publish-second includes the idle process's`,
    );
    console.log(
      '| publishers | segments | dropped | coverage | p50 | p95 | p99 | max | CPU (% of one core) | CPU ms per publish-second | peak RSS node (MB) | peak RSS child processes (MB) | RSS above idle, per publish (MB) | kept up |',
    );
    console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    for (const r of results) {
      console.log(
        `| ${r.publishers} | ${r.segments} | ${r.dropped} | ${(r.coverage * 100).toFixed(0)} % | ${ms(r.p50)} | ${ms(r.p95)} | ${ms(r.p99)} | ${ms(r.max)} | ${r.cpuPercent.toFixed(0)} | ${r.cpuMsPerPublishSecond.toFixed(1)} | ${r.peakRssMb.toFixed(0)} | ${r.peakChildrenRssMb.toFixed(0)} | ${r.rssPerPublishMb.toFixed(1)} | ${r.sustained ? 'yes' : 'no'} |`,
      );
    }
    console.log(
      `\nin-process segmenting alone (FLV tags -> MPEG-TS, this source, warm, no I/O): ${segmentingCpuMsPerMediaSecond(source).toFixed(2)} ms CPU per media second`,
    );
    const best = results.filter((r) => r.sustained).reduce((m, r) => Math.max(m, r.publishers), 0);
    console.log(
      `\nlargest N sustained: ${best || 'none'} (of ${COUNTS.join(', ')}); cores on this machine: ${execFileSync('nproc').toString().trim()}`,
    );
  } finally {
    await ingest?.proc.stop();
    await livepeer?.proc.stop();
    await db?.destroy();
    await env.cleanup();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
