/**
 * Worker benchmark (issue 5): what the relay adds on top of the broadcaster, how many
 * jobs/s a worker process sustains, its CPU and memory, and the largest number of live
 * streams kept within the deadline, with one and with two worker processes.
 *
 *   node scripts/build.mjs
 *   npx vite-node --config vitest.config.ts bench/worker.ts -- --streams 10,100,300 --workers 1,2
 *
 * Set-up: livepeer-local in `passthrough` mode (2 broadcaster processes, no ffmpeg), the S3
 * server as its own process, the machine's Redis and PostgreSQL. Segments are already in the
 * object store (one real 2 s MPEG-TS per sequence number, shared by all streams) and their
 * ledger rows exist, so the benchmark process only enqueues jobs, as ingest would.
 *
 * Per worker count W and stream count K: K simulated streams enqueue one 2 s segment every
 * 2 s each (phases spread over the 2 s), --segments per stream. Figures per run:
 * - wait: job enqueued -> PUT started (the relay's own overhead before the broadcaster);
 * - push overhead: PUT round trip minus the broadcaster's own processing (the `transcodeMs`
 *   each broadcaster logs per segment);
 * - delivery: segment ingested -> job finished (what the live deadline bounds);
 * - CPU (% of one core) and peak RSS of each worker process.
 * Then a burst (--burst jobs at once, deadline relaxed) measures the jobs/s the W processes
 * drain at full speed and the CPU ms one job costs.
 */
import { Logger } from '@nestjs/common';
import { Queue, type Job } from 'bullmq';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { DataSource } from 'typeorm';
import { databaseConfig, s3Config } from '@lib/config';
import { SegmentEntity, openDataSource } from '@lib/database';
import {
  SEGMENT_UPLOAD_QUEUE,
  UPLOAD_JOB_OPTIONS,
  UPLOAD_SEGMENT_JOB,
  bullConnection,
  uploadJobId,
  type UploadJobResult,
  type UploadSegmentPayload,
} from '@lib/queue';
import { ManagedProcess, distEntry } from '@lib/runtime';
import { CONTENT_TYPES, StorageService } from '@lib/storage';
import { TEST_REDIS_URL, TestEnv, spawnApp, type RunningApp } from '@lib/testing';
import { createLivepeerStream, fixtureSegment, startLivepeerLocal, type LivepeerNetwork } from '../apps/worker/test/support';
import { TreeSampler, cpuMs, percentile, processTree } from './support/proc-stats';

const SEGMENT_MS = 2000;
const DEADLINE_FACTOR = 5;
const DEADLINE_MS = DEADLINE_FACTOR * SEGMENT_MS;

const { values: args } = parseArgs({
  options: {
    streams: { type: 'string', default: '10,100,300' },
    workers: { type: 'string', default: '1,2' },
    segments: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '32' },
    burst: { type: 'string', default: '2000' },
    segment: { type: 'string' },
    /** NODE_OPTIONS of the worker processes, e.g. "--require ./cpu-profile.cjs" to profile them. */
    'worker-node-options': { type: 'string', default: '' },
  },
  allowPositionals: true,
});
const STREAM_COUNTS = args.streams!.split(',').map(Number);
const WORKER_COUNTS = args.workers!.split(',').map(Number);
const SEGMENTS = Number(args.segments);
const CONCURRENCY = Number(args.concurrency);
const BURST = Number(args.burst);

// ---------------------------------------------------------------- figures

function summary(values: number[]): { p50: number; p95: number; p99: number; max: number } {
  return {
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: values.length ? Math.max(...values) : NaN,
  };
}

const fmt = (s: { p50: number; p95: number; p99: number }) => `${s.p50} / ${s.p95} / ${s.p99}`;

/** CPU % (of one core) and peak RSS of each worker process, and their CPU time together, over a window. */
class WorkerProbe {
  private readonly samplers: TreeSampler[];
  private readonly cpuStart: number;
  private readonly started = Date.now();

  constructor(private readonly pids: number[]) {
    this.samplers = pids.map((pid) => new TreeSampler(pid));
    this.samplers.forEach((s) => s.start(250));
    this.cpuStart = cpuMs(pids);
  }

  stop(): { cpuPercent: number[]; cpuMsTotal: number; peakRssMb: number[]; seconds: number } {
    const cpuMsTotal = cpuMs(this.pids) - this.cpuStart;
    const figures = this.samplers.map((s) => s.stop());
    return {
      cpuPercent: figures.map((f) => Math.round(f.cpuPercent)),
      cpuMsTotal,
      peakRssMb: figures.map((f) => Math.round(f.peakRssMb)),
      seconds: (Date.now() - this.started) / 1000,
    };
  }
}

/** Pids of processes whose command name is `comm` (redis-server, postgres: shared by the machine). */
function pidsNamed(comm: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/comm`, 'utf8').trim() === comm;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
function machineJiffies(): { busy: number; total: number } {
  const [, ...values] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const n = values.map(Number);
  const idle = n[3] + n[4];
  const total = n.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/**
 * Where the machine's CPU went during a run: the whole machine (% of all cores), and each
 * service of the set-up (% of one core). The machine is shared, so the machine figure says how
 * much of the result is contention.
 */
class ServicesProbe {
  private readonly machineStart = machineJiffies();
  private readonly start: Map<number, number>;

  constructor(private readonly groups: Record<string, () => number[]>) {
    this.start = new Map(Object.values(groups).flatMap((pids) => pids().map((pid): [number, number] => [pid, cpuMs([pid])])));
  }

  stop(seconds: number): { machineBusyPercent: number; cpuPercent: Record<string, number> } {
    const machine = machineJiffies();
    const busy = (machine.busy - this.machineStart.busy) / Math.max(1, machine.total - this.machineStart.total);
    const cpuPercent = Object.fromEntries(
      Object.entries(this.groups).map(([name, pids]) => {
        const used = pids().reduce((sum, pid) => sum + cpuMs([pid]) - (this.start.get(pid) ?? 0), 0);
        return [name, Math.round(used / seconds / 10)];
      }),
    );
    return { machineBusyPercent: Math.round(busy * 100), cpuPercent };
  }
}

// ---------------------------------------------------------------- set-up

interface Bench {
  env: TestEnv;
  network: LivepeerNetwork;
  queue: Queue<UploadSegmentPayload>;
  dataSource: DataSource;
  /** manifestId/seq -> broadcaster's own processing (ms), from its logs. */
  transcodeMs: Map<string, number>;
  segmentBytes: number;
  /** The set-up's other processes, for the CPU breakdown. */
  services: Record<string, () => number[]>;
}

async function setUp(): Promise<Bench> {
  // Library services log through Nest's console logger: keep stdout for the figures.
  Logger.overrideLogger(['error', 'warn']);
  const env = await TestEnv.create({ name: 'bench-worker', s3: false });
  try {
    return await setUpIn(env);
  } catch (err) {
    await env.cleanup();
    throw err;
  }
}

async function setUpIn(env: TestEnv): Promise<Bench> {
  // The S3 server in its own process, so its CPU is not the benchmark process's.
  const s3 = new ManagedProcess({
    name: 's3',
    command: process.execPath,
    args: [distEntry('libs/runtime/src/s3-server.main'), '--port', '0', '--dir', path.join(env.tmpDir, 's3')],
  });
  // Set at once, so that env.cleanup() stops it even if the rest of the set-up fails.
  env.s3 = { port: 0, endpoint: '', close: () => s3.stop() };
  const s3Port = await s3.waitForListening('http');
  env.s3 = { port: s3Port, endpoint: `http://127.0.0.1:${s3Port}`, close: () => s3.stop() };
  const network = await startLivepeerLocal(env, {
    LIVEPEER_LOCAL_BROADCASTERS: 2,
    LIVEPEER_LOCAL_MAX_SESSIONS: 10_000,
    LIVEPEER_LOCAL_SESSION_TIMEOUT_MS: 15_000,
    LIVEPEER_LOCAL_SEGMENT_CACHE: 6,
  });
  try {
    return await prepareStore(env, network, () => [s3.pid!]);
  } catch (err) {
    await network.app.proc.stop();
    throw err;
  }
}

/** The object store's segments, the queue, the database, and the broadcasters' own timings. */
async function prepareStore(env: TestEnv, network: LivepeerNetwork, s3Pids: () => number[]): Promise<Bench> {
  const vars = env.vars();
  const transcodeMs = new Map<string, number>();
  network.app.proc.on('line', (line: string) => {
    if (!line.includes('"segment-transcoded"')) return;
    try {
      const entry = JSON.parse(line.slice(line.indexOf('{'))) as { manifestId: string; seq: number; transcodeMs: number };
      transcodeMs.set(`${entry.manifestId}/${entry.seq}`, entry.transcodeMs);
    } catch {
      // a line that only looked like one
    }
  });

  const storage = new StorageService(s3Config.load(vars));
  await storage.ensureBucket();
  const segment = args.segment ? readFileSync(args.segment) : fixtureSegment();
  const dataSource = await openDataSource(databaseConfig.load(vars), true);
  const queue = new Queue<UploadSegmentPayload>(SEGMENT_UPLOAD_QUEUE, { connection: bullConnection(TEST_REDIS_URL), prefix: env.id });
  // One object per sequence number, shared by every stream: "segments already in the store".
  for (let seq = 0; seq < SEGMENTS; seq++) await storage.put(objectKey(seq), segment, CONTENT_TYPES.mpegts);
  const services = {
    's3 server': s3Pids,
    'livepeer-local (API + broadcasters)': () => processTree(network.app.proc.pid!),
    'redis-server (shared)': () => pidsNamed('redis-server'),
    'postgres (shared)': () => pidsNamed('postgres'),
  };
  return { env, network, services, queue, dataSource, transcodeMs, segmentBytes: segment.length };
}

const objectKey = (seq: number) => `bench/source/${seq}.ts`;

async function startWorkers(bench: Bench, count: number, extra: Record<string, string | number> = {}): Promise<RunningApp[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      spawnApp(
        'worker',
        bench.env.processEnv({
          LIVEPEER_API_URL: bench.network.apiUrl,
          WORKER_CONCURRENCY: CONCURRENCY,
          NODE_OPTIONS: args['worker-node-options'] || undefined,
          ...extra,
        }),
        { label: `worker-${i}` },
      ),
    ),
  );
}

interface Stream {
  sessionId: string;
  livepeerStreamId: string;
}

/** K Livepeer streams and their ledger rows (state queued), made before the clock starts. */
async function prepareStreams(bench: Bench, k: number, segments: number): Promise<Stream[]> {
  const streams: Stream[] = [];
  for (let i = 0; i < k; i += 20) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(20, k - i) }, async () => ({
        sessionId: randomUUID(),
        livepeerStreamId: await createLivepeerStream(bench.network.apiUrl, 'bench'),
      })),
    );
    streams.push(...batch);
  }
  const rows = streams.flatMap((s) =>
    Array.from({ length: segments }, (_, seq) => ({
      sessionId: s.sessionId,
      streamId: s.sessionId,
      seq,
      durationMs: SEGMENT_MS,
      bytes: bench.segmentBytes,
      resolution: '320x180',
      objectKey: objectKey(seq),
      state: 'queued' as const,
      broadcasters: [],
      attempts: 0,
      ingestedAt: Date.now(),
      queuedAt: Date.now(),
      updatedAt: Date.now(),
    })),
  );
  const repo = bench.dataSource.getRepository(SegmentEntity);
  for (let i = 0; i < rows.length; i += 500) await repo.insert(rows.slice(i, i + 500));
  return streams;
}

function payload(stream: Stream, seq: number, bytes: number): UploadSegmentPayload {
  return {
    sessionId: stream.sessionId,
    streamId: stream.sessionId,
    livepeerStreamId: stream.livepeerStreamId,
    seq,
    objectKey: objectKey(seq),
    durationMs: SEGMENT_MS,
    resolution: '320x180',
    bytes,
    ingestedAt: Date.now(),
  };
}

type Uploaded = Extract<UploadJobResult, { outcome: 'uploaded' }>;

/** The jobs whose segment was delivered (a dropped segment completes its job too, with outcome `dropped`). */
function uploadedJobs(jobs: Job<UploadSegmentPayload, UploadJobResult>[]): Job<UploadSegmentPayload, Uploaded>[] {
  return jobs.filter((j): j is Job<UploadSegmentPayload, Uploaded> => j.returnvalue?.outcome === 'uploaded');
}

/** Jobs of the given ids once they have an outcome (or the timeout passes). */
async function settledJobs(queue: Queue, ids: string[], timeoutMs: number): Promise<Job<UploadSegmentPayload, UploadJobResult>[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    const pending = Object.values(counts).reduce((a, b) => a + b, 0);
    if (pending === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const jobs: Job<UploadSegmentPayload, UploadJobResult>[] = [];
  for (let i = 0; i < ids.length; i += 200) {
    const batch = await Promise.all(ids.slice(i, i + 200).map((id) => queue.getJob(id)));
    jobs.push(...(batch.filter(Boolean) as Job<UploadSegmentPayload, UploadJobResult>[]));
  }
  return jobs;
}

// ---------------------------------------------------------------- runs

interface LiveRun {
  workers: number;
  streams: number;
  jobs: number;
  uploaded: number;
  dropped: number;
  wait: ReturnType<typeof summary>;
  pushOverhead: ReturnType<typeof summary>;
  roundTrip: ReturnType<typeof summary>;
  delivery: ReturnType<typeof summary>;
  jobsPerSecond: number;
  cpuPercent: number[];
  peakRssMb: number[];
  sustained: boolean;
  /** p50 ms of each phase of a job (ledger, prepare, push, record). */
  phasesP50: Record<string, number>;
  loadAverageAtStart: number;
  /** % of all cores busy during the run (every process on the machine). */
  machineBusyPercent: number;
  /** % of one core per service of the set-up. */
  servicesCpuPercent: Record<string, number>;
}

function phaseMedians(results: UploadJobResult[]): Record<string, number> {
  const names = Object.keys(results[0]?.phases ?? {});
  return Object.fromEntries(names.map((n) => [n, summary(results.map((r) => (r.phases as Record<string, number>)[n])).p50]));
}

async function liveRun(bench: Bench, workers: RunningApp[], k: number): Promise<LiveRun> {
  const streams = await prepareStreams(bench, k, SEGMENTS);
  const probe = new WorkerProbe(workers.map((w) => w.proc.pid!));
  const servicesProbe = new ServicesProbe(bench.services);
  const load = os.loadavg()[0];
  const start = Date.now() + 200;
  const ids: string[] = [];
  // Stream i cuts segment n at start + n * 2 s + i * (2 s / K): real-time cadence, phases spread.
  const due = streams.flatMap((s, i) =>
    Array.from({ length: SEGMENTS }, (_, seq) => ({ s, seq, at: start + seq * SEGMENT_MS + (i * SEGMENT_MS) / k })),
  );
  due.sort((a, b) => a.at - b.at);
  let next = 0;
  while (next < due.length) {
    const now = Date.now();
    const batch: typeof due = [];
    while (next < due.length && due[next].at <= now) batch.push(due[next++]);
    if (batch.length) {
      await bench.queue.addBulk(
        batch.map(({ s, seq }) => ({
          name: UPLOAD_SEGMENT_JOB,
          data: payload(s, seq, bench.segmentBytes),
          opts: { ...UPLOAD_JOB_OPTIONS, jobId: uploadJobId(s.sessionId, seq) },
        })),
      );
      ids.push(...batch.map(({ s, seq }) => uploadJobId(s.sessionId, seq)));
    }
    await new Promise((r) => setTimeout(r, Math.max(1, Math.min(10, (due[next]?.at ?? now) - Date.now()))));
  }
  const jobs = await settledJobs(bench.queue, ids, DEADLINE_MS + 5000);
  const resources = probe.stop();
  const services = servicesProbe.stop(resources.seconds);

  const done = uploadedJobs(jobs);
  const results = done.map((j) => j.returnvalue);
  const lastFinish = Math.max(...done.map((j) => j.finishedOn ?? 0));
  const overhead = done.flatMap((j) => {
    const processing = bench.transcodeMs.get(`${j.data.livepeerStreamId}/${j.data.seq}`);
    return processing === undefined ? [] : [j.returnvalue.roundTripMs - processing];
  });
  const delivery = summary(done.map((j) => (j.finishedOn ?? 0) - j.data.ingestedAt));
  // Dropped (outcome `dropped`), failed, or never seen: not delivered.
  const dropped = jobs.length - done.length + (ids.length - jobs.length);
  return {
    workers: workers.length,
    streams: k,
    jobs: ids.length,
    uploaded: done.length,
    dropped,
    wait: summary(results.map((r) => r.waitMs)),
    pushOverhead: summary(overhead),
    roundTrip: summary(results.map((r) => r.roundTripMs)),
    delivery,
    jobsPerSecond: Math.round((done.length / Math.max(1, lastFinish - start)) * 1000 * 10) / 10,
    cpuPercent: resources.cpuPercent,
    peakRssMb: resources.peakRssMb,
    // Kept up, not just "finished before the deadline": a backlog longer than one segment
    // would keep growing on a stream longer than this run.
    sustained: dropped === 0 && delivery.p99 <= DEADLINE_MS && summary(results.map((r) => r.waitMs)).p95 <= SEGMENT_MS,
    phasesP50: phaseMedians(results),
    loadAverageAtStart: Math.round(load * 10) / 10,
    machineBusyPercent: services.machineBusyPercent,
    servicesCpuPercent: services.cpuPercent,
  };
}

interface BurstRun {
  workers: number;
  jobs: number;
  jobsPerSecond: number;
  cpuMsPerJob: number;
  cpuPercent: number[];
  peakRssMb: number[];
  phasesP50: Record<string, number>;
  machineBusyPercent: number;
  servicesCpuPercent: Record<string, number>;
}

/** Every job at once; the deadline is relaxed (LIVE_DEADLINE_FACTOR=60) so none is dropped. */
async function burstRun(bench: Bench, workers: RunningApp[], n: number): Promise<BurstRun> {
  const perStream = SEGMENTS;
  const streams = await prepareStreams(bench, Math.ceil(n / perStream), perStream);
  const items = streams.flatMap((s) => Array.from({ length: perStream }, (_, seq) => ({ s, seq }))).slice(0, n);
  const probe = new WorkerProbe(workers.map((w) => w.proc.pid!));
  const servicesProbe = new ServicesProbe(bench.services);
  const start = Date.now();
  for (let i = 0; i < items.length; i += 500) {
    await bench.queue.addBulk(
      items.slice(i, i + 500).map(({ s, seq }) => ({
        name: UPLOAD_SEGMENT_JOB,
        data: payload(s, seq, bench.segmentBytes),
        opts: { ...UPLOAD_JOB_OPTIONS, jobId: uploadJobId(s.sessionId, seq) },
      })),
    );
  }
  const jobs = await settledJobs(
    bench.queue,
    items.map(({ s, seq }) => uploadJobId(s.sessionId, seq)),
    120_000,
  );
  const resources = probe.stop();
  const services = servicesProbe.stop(resources.seconds);
  const done = uploadedJobs(jobs);
  const seconds = (Math.max(...done.map((j) => j.finishedOn ?? 0)) - start) / 1000;
  return {
    workers: workers.length,
    jobs: done.length,
    jobsPerSecond: Math.round((done.length / seconds) * 10) / 10,
    cpuMsPerJob: Math.round((resources.cpuMsTotal / Math.max(1, done.length)) * 100) / 100,
    cpuPercent: resources.cpuPercent,
    peakRssMb: resources.peakRssMb,
    phasesP50: phaseMedians(done.map((j) => j.returnvalue)),
    machineBusyPercent: services.machineBusyPercent,
    servicesCpuPercent: services.cpuPercent,
  };
}

// ---------------------------------------------------------------- main

async function main() {
  const bench = await setUp();
  const stopAll: RunningApp[] = [];
  const live: LiveRun[] = [];
  const bursts: BurstRun[] = [];
  const cleanup = async () => {
    await Promise.all(stopAll.map((w) => w.proc.stop()));
    await bench.network.app.proc.stop();
    await bench.queue.close();
    await bench.dataSource.destroy();
    await bench.env.cleanup();
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  try {
    console.log(
      `${os.cpus().length} cores; segment ${bench.segmentBytes} bytes, ${SEGMENT_MS} ms; ${SEGMENTS} segments per stream; WORKER_CONCURRENCY=${CONCURRENCY}; deadline ${DEADLINE_MS} ms`,
    );
    for (const w of WORKER_COUNTS) {
      const workers = await startWorkers(bench, w);
      stopAll.push(...workers);
      for (const k of STREAM_COUNTS) {
        const run = await liveRun(bench, workers, k);
        live.push(run);
        console.log(JSON.stringify(run));
      }
      await Promise.all(workers.map((x) => x.proc.stop()));
      if (BURST > 0) {
        const burstWorkers = await startWorkers(bench, w, { LIVE_DEADLINE_FACTOR: 60 });
        stopAll.push(...burstWorkers);
        const run = await burstRun(bench, burstWorkers, BURST);
        bursts.push(run);
        console.log(JSON.stringify(run));
        await Promise.all(burstWorkers.map((x) => x.proc.stop()));
      }
    }
  } finally {
    await cleanup();
  }

  console.log('\n### Live streams at real-time cadence (ms: p50 / p95 / p99)\n');
  console.log(
    '| workers | streams | jobs | uploaded | dropped | wait (enqueue -> PUT) | push overhead (RTT - broadcaster) | round trip | delivery (ingest -> done) | jobs/s | CPU % per process | peak RSS MB | machine busy % | within deadline |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const r of live) {
    console.log(
      `| ${r.workers} | ${r.streams} | ${r.jobs} | ${r.uploaded} | ${r.dropped} | ${fmt(r.wait)} | ${fmt(r.pushOverhead)} | ${fmt(r.roundTrip)} | ${fmt(r.delivery)} | ${r.jobsPerSecond} | ${r.cpuPercent.join(', ')} | ${r.peakRssMb.join(', ')} | ${r.machineBusyPercent} | ${r.sustained ? 'yes' : 'no'} |`,
    );
  }
  if (bursts.length) {
    console.log('\n### Burst (all jobs at once): the most a worker set drains\n');
    console.log(
      '| workers | jobs | jobs/s | CPU ms per job | CPU % per process | peak RSS MB | machine busy % | streams it could carry (jobs/s x 2 s) |',
    );
    console.log('|---|---|---|---|---|---|---|---|');
    for (const b of bursts) {
      console.log(
        `| ${b.workers} | ${b.jobs} | ${b.jobsPerSecond} | ${b.cpuMsPerJob} | ${b.cpuPercent.join(', ')} | ${b.peakRssMb.join(', ')} | ${b.machineBusyPercent} | ~${Math.floor((b.jobsPerSecond * SEGMENT_MS) / 1000)} |`,
      );
    }
  }
  console.log('\n### CPU of the rest of the set-up (% of one core) and job phases (p50 ms)\n');
  for (const r of [...live, ...bursts]) {
    const label = 'streams' in r ? `${r.workers} worker(s), ${r.streams} streams` : `${r.workers} worker(s), burst`;
    console.log(`- ${label}: ${JSON.stringify(r.servicesCpuPercent)}; phases ${JSON.stringify(r.phasesP50)}`);
  }
  for (const w of WORKER_COUNTS) {
    const ok = live.filter((r) => r.workers === w && r.sustained).map((r) => r.streams);
    console.log(
      `\nlargest K sustained (no drop, p99 delivery within the deadline, p95 wait under one segment) with ${w} worker process(es): ${
        ok.length ? Math.max(...ok) : 'none'
      } (of ${STREAM_COUNTS.join(', ')})`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
