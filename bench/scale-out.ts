/**
 * Scale-out simulation: N stitcher processes and M worker processes share S streams.
 *
 *   node scripts/build.mjs
 *   npx vite-node --config vitest.config.ts bench/scale-out.ts -- --stitchers 2 --workers 2 --streams 20 --seconds 60
 *
 * The whole relay (Pipeline: launcher, livepeer-local in passthrough mode, embedded S3, a private
 * redis-server so its command counts are this run's alone) plus N-1 more stitcher copies. S
 * simulated streams push one 2 s MPEG-TS segment every 2 s each over HTTP (ingest's push path,
 * phases spread over the 2 s). Prints:
 * - streams per stitcher (the lease spread rendezvous hashing gives);
 * - CPU ms per stream-second and RSS of each app over the measured window (/proc/<pid>/stat of
 *   each process tree), and Redis commands per segment (INFO commandstats before and after);
 * - after SIGKILL of one stitcher: how long until the others hold all its streams, and the HLS
 *   rule violations PlaylistWatcher saw on every stream during the whole run;
 * - redis-benchmark's rate on the same redis-server, and what it means for one Redis.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { parseArgs } from 'node:util';
import Redis from 'ioredis';
import { ManagedProcess, freePort } from '@lib/runtime';
import { Pipeline, PlaylistWatcher, spawnApp, waitFor, type CreatedStream, type RunningApp } from '@lib/testing';
import { fixtureSegment } from '../apps/worker/test/support';
import { cpuMs, percentile, processTree, rssMb } from './support/proc-stats';

const { values: args } = parseArgs({
  options: {
    stitchers: { type: 'string', default: '2' },
    workers: { type: 'string', default: '2' },
    streams: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '60' },
  },
  allowPositionals: true,
});
const STITCHERS = Number(args.stitchers);
const WORKERS = Number(args.workers);
const STREAMS = Number(args.streams);
const SECONDS = Number(args.seconds);
const SEGMENT_MS = 2000;
const LEASE_TTL_MS = 3000;
const WARMUP_MS = 12_000;

/** An app's /metrics text; empty when it does not answer (a starved or killed process). */
async function scrape(url: string): Promise<string> {
  try {
    return await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(20_000) })).text();
  } catch {
    return '';
  }
}

async function metric(url: string, name: string): Promise<number> {
  const text = await scrape(url);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line ? Number(line.split(' ').pop()) : NaN;
}

async function bucket(url: string, name: string, le: string): Promise<number> {
  const text = await scrape(url);
  const line = text.split('\n').find((l) => l.startsWith(`${name}_bucket{`) && l.includes(`le="${le}"`));
  return line ? Number(line.split(' ').pop()) : NaN;
}

/** Total calls per command from INFO commandstats. */
async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const calls = new Map<string, number>();
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(m[1], Number(m[2]));
  return calls;
}

/** Refused pushes by status, with the first answer of each (printed: a refusal is a finding). */
const refusals = new Map<string, { count: number; sample: string }>();
function refused(status: string, sample: string): void {
  const entry = refusals.get(status) ?? { count: 0, sample: sample.slice(0, 200) };
  entry.count++;
  refusals.set(status, entry);
}

/** Round trips of answered pushes (ingest answers once the segment is stored and queued). */
const pushMs: number[] = [];

/** Pushes one segment per SEGMENT_MS to ingest for one stream; counts what ingest accepted. */
class Pusher {
  seq = 0;
  accepted = 0;
  failed = 0;
  private timer?: NodeJS.Timeout;
  constructor(
    private readonly ingestUrl: string,
    private readonly stream: CreatedStream,
    private readonly body: Buffer,
  ) {}

  start(phaseMs: number): void {
    setTimeout(() => {
      void this.push();
      this.timer = setInterval(() => void this.push(), SEGMENT_MS);
    }, phaseMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async push(): Promise<void> {
    const seq = this.seq++;
    const started = Date.now();
    try {
      const res = await fetch(`${this.ingestUrl}/live/${this.stream.streamKey}/${seq}.ts`, {
        method: 'PUT',
        headers: { 'Content-Type': 'video/mp2t', 'Content-Duration': String(SEGMENT_MS) },
        body: this.body,
      });
      const answer = await res.text();
      pushMs.push(Date.now() - started);
      if (res.ok) this.accepted++;
      else {
        this.failed++;
        refused(String(res.status), answer);
      }
    } catch (err) {
      this.failed++;
      const cause = (err as Error & { cause?: Error }).cause;
      refused('network', `${(err as Error).message}${cause ? `: ${cause.message}` : ''}`);
    }
  }
}

async function main(): Promise<void> {
  const pipeline = await Pipeline.start({
    name: 'bench-scale-out',
    transcodeMode: 'passthrough',
    workers: WORKERS,
    privateRedis: true,
    extraEnv: {
      STITCHER_LEASE_TTL_MS: LEASE_TTL_MS,
      STITCHER_SCAN_INTERVAL_MS: 1000,
      LIVEPEER_LOCAL_MAX_SESSIONS: 10_000,
      LIVEPEER_LOCAL_SESSION_TIMEOUT_MS: 60_000,
    },
  });
  const extra: RunningApp[] = [];
  const watchers: PlaylistWatcher[] = [];
  const pushers: Pusher[] = [];
  const redis = new Redis(pipeline.system.urls.redis, { maxRetriesPerRequest: 2 });
  try {
    for (let i = 2; i <= STITCHERS; i++) {
      extra.push(
        await spawnApp('stitcher', { ...pipeline.system.env, STITCHER_HTTP_PORT: String(await freePort()) }, { label: `stitcher-${i}` }),
      );
    }
    const stitchers: Array<{ name: string; url: string; proc: ManagedProcess }> = [
      { name: 'stitcher-1', url: pipeline.stitcher, proc: pipeline.system.processes.get('stitcher')! },
      ...extra.map((app, i) => ({ name: `stitcher-${i + 2}`, url: app.url, proc: app.proc })),
    ];
    const streams: CreatedStream[] = [];
    for (let i = 0; i < STREAMS; i++) streams.push(await pipeline.createStream(`scale ${i}`));
    const body = fixtureSegment();
    const ingestUrl = pipeline.system.urls.ingestHttp;
    streams.forEach((stream, i) => {
      const pusher = new Pusher(ingestUrl, stream, body);
      pusher.start((i * SEGMENT_MS) / STREAMS);
      pushers.push(pusher);
      // Each stream watched on the first copy (any copy serves every stream's playlists).
      const watcher = new PlaylistWatcher(pipeline.stitcher, stream.playbackId, SEGMENT_MS / 1000);
      watcher.start(2000);
      watchers.push(watcher);
    });
    console.log(`running: ${STREAMS} streams, ${STITCHERS} stitchers, ${WORKERS} workers, ${SECONDS} s`);

    const owned = () => Promise.all(stitchers.map((s) => (s.proc.running ? metric(s.url, 'stitcher_owned_streams') : 0)));
    await waitFor(async () => (await owned()).reduce((a, b) => a + b, 0) === STREAMS, { timeoutMs: 60_000, intervalMs: 500 }).catch(
      () => undefined,
    );
    await new Promise((r) => setTimeout(r, WARMUP_MS));

    // Measured window: steady state, every stream pushing.
    const apps = new Map<string, number>();
    for (const [name, proc] of pipeline.system.processes) if (proc.pid && name !== 'redis') apps.set(name, proc.pid);
    for (const s of stitchers.slice(1)) apps.set(s.name, s.proc.pid!);
    const cpuBefore = new Map([...apps].map(([name, pid]) => [name, cpuMs(processTree(pid))]));
    const callsBefore = await commandCalls(redis);
    const acceptedBefore = pushers.reduce((a, p) => a + p.accepted, 0);
    const windowStart = Date.now();
    const measureMs = Math.max(10_000, SECONDS * 1000 - WARMUP_MS - 20_000);
    await new Promise((r) => setTimeout(r, measureMs));
    const windowSeconds = (Date.now() - windowStart) / 1000;
    const segments = pushers.reduce((a, p) => a + p.accepted, 0) - acceptedBefore;
    const callsAfter = await commandCalls(redis);
    const spread = await owned();

    console.log(`\nStreams per stitcher (leases, rendezvous hashing): ${stitchers.map((s, i) => `${s.name} ${spread[i]}`).join(', ')}\n`);
    console.log('| app | CPU ms per stream-second | % of a core | RSS MB | RSS MB per stream |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    const rows: Array<[string, number, number]> = [];
    for (const [name, pid] of apps) {
      const used = cpuMs(processTree(pid)) - cpuBefore.get(name)!;
      const rss = rssMb(processTree(pid));
      rows.push([name, used, rss]);
      console.log(
        `| ${name} | ${(used / (STREAMS * windowSeconds)).toFixed(2)} | ${((100 * used) / (windowSeconds * 1000)).toFixed(1)} | ${rss.toFixed(0)} | ${(rss / STREAMS).toFixed(1)} |`,
      );
    }
    const loops = [{ name: 'ingest', url: ingestUrl }, ...stitchers.map((st) => ({ name: st.name, url: st.url }))];
    const delays = await Promise.all(
      loops.map(async ({ name, url }) => {
        const [sum, count, underOne] = await Promise.all([
          metric(url, 'relay_event_loop_delay_seconds_sum'),
          metric(url, 'relay_event_loop_delay_seconds_count'),
          bucket(url, 'relay_event_loop_delay_seconds', '1'),
        ]);
        return `${name} mean ${((1000 * sum) / Math.max(1, count)).toFixed(0)} ms, ${count - underOne} of ${count} s over 1 s`;
      }),
    );
    console.log(`\nEvent-loop delay (worst per second, whole run): ${delays.join('; ')}`);
    const relayCpu = rows.filter(([n]) => /^(ingest|worker|stitcher)/.test(n)).reduce((a, [, used]) => a + used, 0);
    console.log(
      `\nIngest + workers + stitchers: ${(relayCpu / Math.max(1, segments)).toFixed(1)} ms CPU per 2 s segment (${segments} segments accepted in ${windowSeconds.toFixed(0)} s, ${pushers.reduce((a, p) => a + p.failed, 0)} pushes refused or failed over the run)`,
    );

    console.log(
      `Push round trip (answered pushes): p50 ${percentile(pushMs, 50).toFixed(0)} ms, p95 ${percentile(pushMs, 95).toFixed(0)} ms`,
    );
    for (const [status, { count, sample }] of refusals) console.log(`Refused pushes ${status}: ${count} (${sample})`);
    const delta = [...callsAfter].map(([cmd, n]) => [cmd, n - (callsBefore.get(cmd) ?? 0)] as const).filter(([, n]) => n > 0);
    const total = delta.reduce((a, [, n]) => a + n, 0);
    const perSegment = total / Math.max(1, segments);
    const top = delta
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([cmd, n]) => `${cmd} ${(n / Math.max(1, segments)).toFixed(1)}`)
      .join(', ');
    console.log(
      `Redis commands per segment: ${perSegment.toFixed(1)} (${top}); ${(total / windowSeconds).toFixed(0)} commands/s for ${STREAMS} streams`,
    );

    // Failover: SIGKILL the copy holding the most streams among the extra ones (the first serves the watchers).
    if (stitchers.length > 1) {
      const victimIndex = 1 + spread.slice(1).indexOf(Math.max(...spread.slice(1)));
      const victim = stitchers[victimIndex];
      const moved = spread[victimIndex];
      const killedAt = Date.now();
      victim.proc.kill('SIGKILL');
      let movedMs = NaN;
      try {
        await waitFor(async () => (await owned()).reduce((a, b) => a + b, 0) === STREAMS, { timeoutMs: 60_000, intervalMs: 100 });
        movedMs = Date.now() - killedAt;
      } catch {
        // reported as not moved
      }
      console.log(
        `SIGKILL of ${victim.name} (${moved} streams): all streams held again after ${Number.isFinite(movedMs) ? `${movedMs} ms` : 'more than 60 s'} (lease TTL ${LEASE_TTL_MS} ms)`,
      );
      await new Promise((r) => setTimeout(r, 8000));
    }
    const violations = watchers.flatMap((w) => w.errors);
    console.log(
      `HLS rule violations seen by PlaylistWatcher (every stream, whole run): ${violations.length}${violations.length ? ` (first: ${violations[0]})` : ''}`,
    );

    // What one Redis takes: redis-benchmark on the same server (pipelined 1, 50 clients).
    const port = new URL(pipeline.system.urls.redis).port;
    const bench = execFileSync('redis-benchmark', ['-p', port, '-q', '-n', '100000', '-c', '50', '-t', 'set,get,lpush,zadd'], {
      encoding: 'utf8',
    });
    const rates = [...bench.matchAll(/^(\S+): ([\d.]+) requests per second/gm)].map((m) => [m[1], Number(m[2])] as const);
    const rate = Math.min(...rates.map(([, r]) => r));
    console.log(`redis-benchmark (same server, 50 clients, no pipelining): ${rates.map(([c, r]) => `${c} ${r.toFixed(0)}/s`).join(', ')}`);
    const streamsAtLimit = (rate * (SEGMENT_MS / 1000)) / perSegment;
    console.log(
      `One Redis at ${rate.toFixed(0)} commands/s and ${perSegment.toFixed(1)} commands per 2 s segment: about ${streamsAtLimit.toFixed(0)} streams (all of one core of ${os.cpus()[0]?.model ?? 'this machine'}; plan for half)`,
    );
  } finally {
    for (const p of pushers) p.stop();
    for (const w of watchers) w.stop();
    redis.disconnect();
    await Promise.all(extra.map((app) => app.proc.stop()));
    await pipeline.stop();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
