/**
 * Capacity (`npm run bench -- --only capacity`): how many concurrent streams the whole relay
 * carries on this machine, as `npm start` runs it, with livepeer-local in passthrough mode (the
 * relay's own cost is what is measured) and every publisher replaying one file with `-c copy`
 * (640x360, 2 s GOP, ladder 240p + 144p).
 *
 * For each N: N publishes for SECONDS; then every segment of every session from the ledger
 * (republished, dropped with its reason, or unresolved) and the republish lag (ingest closed the
 * segment -> the stitcher listed it, ledger times). Over the steady state (after WARMUP seconds)
 * the CPU of each app's process tree, per stream-second and per 2 s segment, the apps' peak RSS,
 * and the event-loop delay p99 ingest and the stitcher report. N holds when no segment is
 * dropped or unresolved and the lag p95 is under 1 s; the busiest app (% of one core; every app
 * is one Node.js thread) is the part that saturates first.
 *
 *   node scripts/build.mjs
 *   npx vite-node --config vitest.config.ts bench/capacity.ts -- --streams 20,50,100 --seconds 300
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Pipeline } from '@lib/testing';
import { STARTUP_SEQS, accountSegments, describeDrops, describeSteps } from './support/accounting';
import { TreeSampler, cpuMs, percentile, processTree, rssMb } from './support/proc-stats';
import { encodeReplaySource, replayPublisher } from './support/replay';

const { values: args } = parseArgs({
  options: {
    streams: { type: 'string', default: '20,50,100' },
    seconds: { type: 'string', default: '300' },
    'warmup-seconds': { type: 'string', default: '30' },
    workers: { type: 'string', default: '2' },
  },
  allowPositionals: true,
});
const STREAM_COUNTS = args.streams!.split(',').map(Number);
const SECONDS = Number(args.seconds);
const WARMUP_SECONDS = Number(args['warmup-seconds']);
const WORKERS = Number(args.workers);
for (const [name, v] of [...Object.entries({ SECONDS, WARMUP_SECONDS, WORKERS }), ...STREAM_COUNTS.map((n) => ['--streams', n] as const)]) {
  if (!Number.isFinite(v) || v <= 0 || (name === 'WARMUP_SECONDS' && v >= SECONDS)) {
    console.error(`capacity: ${name} must be a positive number (and the warm-up shorter than the run)`);
    process.exit(2);
  }
}
const SEGMENT_SECONDS = 2;
const LAG_P95_LIMIT_MS = 1000;
const MAX_PROBLEM_LINES = 6;
const RELAY_APPS = ['ingest', 'stitcher', 'worker'];
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/** `relay_event_loop_delay_p99_seconds` of an app's /metrics, in ms (NaN when it cannot be read). */
async function eventLoopP99Ms(baseUrl: string): Promise<number> {
  try {
    const text = await (await fetch(`${baseUrl}/metrics`)).text();
    return Number(/^relay_event_loop_delay_p99_seconds(?:\{[^}]*\})? (\S+)/m.exec(text)?.[1] ?? NaN) * 1000;
  } catch {
    return NaN;
  }
}

interface RunFigures {
  streams: number;
  account: Awaited<ReturnType<typeof accountSegments>>;
  /** app -> CPU ms per stream-second, % of one core, peak RSS MB */
  apps: Record<string, { msPerStreamSecond: number; cpuPercent: number; peakRssMb: number }>;
  publishersCpuPercent: number;
  loopP99Ms: Record<string, number>;
  /** ingest's RSS before the publishes: what a publish adds is measured from it */
  idleIngestRssMb: number;
}

async function run(streams: number, file: string): Promise<RunFigures> {
  const pipeline = await Pipeline.start({
    name: `capacity-${streams}`,
    transcodeMode: 'passthrough',
    workers: WORKERS,
    extraEnv: { LIVEPEER_LOCAL_MAX_SESSIONS: streams * 2 + 10 },
  });
  try {
    const created = await Promise.all(Array.from({ length: streams }, (_, i) => pipeline.createStream(`capacity ${i}`)));
    const ingestPid = pipeline.system.processes.get('ingest')?.pid;
    const idleIngestRssMb = ingestPid ? rssMb(processTree(ingestPid)) : NaN;
    const publishers = created.map((s, i) => replayPublisher(`pub-${i}`, file, `${pipeline.system.urls.rtmp}/${s.streamKey}`, SECONDS));
    console.error(`[capacity] N=${streams}: ${streams} publishes started, steady state from ${WARMUP_SECONDS} s`);
    await new Promise((r) => setTimeout(r, WARMUP_SECONDS * 1000));
    const samplers = [...pipeline.system.processes].filter(([, p]) => p.pid).map(([name, p]) => [name, new TreeSampler(p.pid!)] as const);
    const publisherPids = publishers.map((p) => p.pid!).filter(Boolean);
    const publishersCpuAt = cpuMs(publisherPids);
    const startedAt = Date.now();
    samplers.forEach(([, s]) => s.start());
    // The steady window ends a little before the publishers do (the last segments are closing).
    const windowMs = Math.max(1000, (SECONDS - WARMUP_SECONDS - 5) * 1000);
    const loop: Record<string, number[]> = { ingest: [], stitcher: [] };
    const loopSampler = setInterval(async () => {
      loop.ingest.push(await eventLoopP99Ms(pipeline.system.urls.ingestHttp));
      loop.stitcher.push(await eventLoopP99Ms(pipeline.system.urls.stitcher));
    }, 10_000);
    const progress = setInterval(
      () => console.error(`[capacity] N=${streams}: ${((Date.now() - startedAt) / 1000).toFixed(0)} s of steady state`),
      60_000,
    );
    await new Promise((r) => setTimeout(r, windowMs));
    clearInterval(loopSampler);
    clearInterval(progress);
    const elapsedS = (Date.now() - startedAt) / 1000;
    const publishersCpuPercent = (100 * (cpuMs(publisherPids) - publishersCpuAt)) / (elapsedS * 1000);
    const apps: RunFigures['apps'] = {};
    for (const [name, sampler] of samplers) {
      const { cpuPercent, peakRssMb } = sampler.stop();
      apps[name] = { cpuPercent, peakRssMb, msPerStreamSecond: (cpuPercent * 10) / streams };
    }
    await Promise.all(publishers.map((p) => p.exited));
    const account = await accountSegments(pipeline, created);
    const loopP99Ms = Object.fromEntries(
      Object.entries(loop).map(([app, values]) => [app, percentile(values.filter(Number.isFinite), 95)]),
    );
    return { streams, account, apps, publishersCpuPercent, loopP99Ms, idleIngestRssMb };
  } finally {
    await pipeline.stop();
  }
}

function holds(f: RunFigures): boolean {
  const { account } = f;
  const dropped = Object.values(account.dropped).reduce((a, b) => a + b, 0);
  return dropped === 0 && account.unresolved === 0 && percentile(account.republishLagMs, 95) < LAG_P95_LIMIT_MS;
}

/** Apps named by role: worker-1, worker-2... add up to "worker". */
function byRole(apps: RunFigures['apps']): Record<string, { msPerStreamSecond: number; cpuPercent: number; peakRssMb: number }> {
  const roles: Record<string, { msPerStreamSecond: number; cpuPercent: number; peakRssMb: number }> = {};
  for (const [name, figures] of Object.entries(apps)) {
    const role = name.replace(/-\d+$/, '');
    const sum = (roles[role] ??= { msPerStreamSecond: 0, cpuPercent: 0, peakRssMb: 0 });
    sum.msPerStreamSecond += figures.msPerStreamSecond;
    sum.cpuPercent += figures.cpuPercent;
    sum.peakRssMb += figures.peakRssMb;
  }
  return roles;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-capacity-'));
  const results: RunFigures[] = [];
  try {
    const file = await encodeReplaySource(dir);
    for (const n of STREAM_COUNTS) results.push(await run(n, file));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  console.log(
    `\n${os.cpus().length} cores; ${SECONDS} s per run, steady state after ${WARMUP_SECONDS} s; ${WORKERS} worker processes; livepeer-local in passthrough mode; publishers replay a 640x360 file with -c copy\n`,
  );
  console.log(
    `| streams | segments | republished | dropped | unresolved | republish lag p50 / p95 / max (ms) | lag p95 of the first ${STARTUP_SEQS} segments of a session (ms) | holds |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const f of results) {
    const lag = f.account.republishLagMs;
    console.log(
      `| ${f.streams} | ${f.account.segments} | ${f.account.republished} | ${describeDrops(f.account)} | ${f.account.unresolved} | ${fmt(percentile(lag, 50))} / ${fmt(percentile(lag, 95))} / ${fmt(Math.max(...lag))} | ${fmt(percentile(f.account.startupLagMs, 95))} | ${holds(f) ? 'yes' : 'no'} |`,
    );
  }
  for (const f of results) {
    console.log(
      `- N=${f.streams}, where the time went (ms, p50 / p95), first ${STARTUP_SEQS} segments: ${describeSteps(f.account.steps.startup)}`,
    );
    console.log(`- N=${f.streams}, the rest: ${describeSteps(f.account.steps.steady)}`);
  }

  const roles = Object.keys(byRole(results[0].apps));
  console.log(`\n### CPU ms per stream-second (% of one core), peak RSS MB, steady state\n`);
  console.log(`| streams | ${roles.join(' | ')} | publishers (not the relay) | busiest app |`);
  console.log(`| --- | ${roles.map(() => '---').join(' | ')} | --- | --- |`);
  for (const f of results) {
    const r = byRole(f.apps);
    const [busiest, busiestFigures] = Object.entries(f.apps).sort((a, b) => b[1].cpuPercent - a[1].cpuPercent)[0];
    console.log(
      `| ${f.streams} | ${roles.map((k) => `${fmt(r[k]?.msPerStreamSecond, 1)} (${fmt(r[k]?.cpuPercent)} %) / ${fmt(r[k]?.peakRssMb)} MB`).join(' | ')} | ${fmt(f.publishersCpuPercent)} % | ${busiest} ${fmt(busiestFigures.cpuPercent)} % |`,
    );
  }

  console.log('\n### Per 2 s segment of one stream, and memory per publish\n');
  console.log(
    '| streams | ingest + worker + stitcher CPU ms per segment | ingest RSS MB per publish (peak minus idle) | event-loop delay p99 (ms): ingest / stitcher |',
  );
  console.log('| --- | --- | --- | --- |');
  for (const f of results) {
    const r = byRole(f.apps);
    const relayMs = RELAY_APPS.reduce((sum, app) => sum + (r[app]?.msPerStreamSecond ?? 0), 0) * SEGMENT_SECONDS;
    console.log(
      `| ${f.streams} | ${fmt(relayMs, 1)} | ${fmt(((r.ingest?.peakRssMb ?? NaN) - f.idleIngestRssMb) / f.streams, 1)} | ${fmt(f.loopP99Ms.ingest)} / ${fmt(f.loopP99Ms.stitcher)} |`,
    );
  }
  // The first sessions that lost segments, for the reader to look up (all of them can be hundreds of lines).
  for (const f of results) {
    for (const line of f.account.problems.slice(0, MAX_PROBLEM_LINES)) console.log(`- N=${f.streams}: ${line}`);
    const more = f.account.problems.length - MAX_PROBLEM_LINES;
    if (more > 0) console.log(`- N=${f.streams}: ... and ${more} more lines like these`);
  }
  const held = results.filter(holds).map((f) => f.streams);
  console.log(
    `\nlargest N sustained (no segment dropped or unresolved, republish lag p95 under ${LAG_P95_LIMIT_MS} ms): ${held.length ? Math.max(...held) : 'none'} (of ${STREAM_COUNTS.join(', ')})`,
  );
}

void main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
