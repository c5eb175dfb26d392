/**
 * Soak (`npm run soak`, not part of CI): the whole relay as `npm start` runs it, STREAMS streams
 * published for MINUTES (livepeer-local in passthrough mode: the relay's own resources are what
 * is measured), one broadcaster SIGKILLed every KILL_EVERY minutes (started again by
 * livepeer-local after 3 s, LIVEPEER_LOCAL_BROADCASTER_RESTART_MS). Every SAMPLE seconds it prints
 * the RSS and open files (/proc/<pid>/fd) of every process of the system; at the end, whether each
 * is flat after the warm-up, and every segment's outcome from the ledger (none may be left
 * unresolved; each drop has its reason).
 *
 *   npm run soak -- --minutes 30 [--streams 10] [--kill-every 5] [--sample-seconds 30] [--warmup-minutes 2]
 */
import { readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ManagedProcess } from '@lib/runtime';
import { Pipeline, broadcasterStatus } from '@lib/testing';
import { accountSegments, describeDrops } from './support/accounting';
import { rssMb } from './support/proc-stats';
import { encodeReplaySource, replayPublisher } from './support/replay';

const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    streams: { type: 'string', default: '10' },
    'kill-every': { type: 'string', default: '5' },
    'sample-seconds': { type: 'string', default: '30' },
    'warmup-minutes': { type: 'string', default: '' },
  },
  allowPositionals: true,
});
const MINUTES = Number(args.minutes);
const STREAMS = Number(args.streams);
const KILL_EVERY_MS = Number(args['kill-every']) * 60_000;
const SAMPLE_MS = Number(args['sample-seconds']) * 1000;
// Warm-up: sessions, Livepeer streams, caches and pools filling; a fifth of the run, at most 3 min.
const WARMUP_MS = args['warmup-minutes'] ? Number(args['warmup-minutes']) * 60_000 : Math.min(3 * 60_000, (MINUTES * 60_000) / 5);
for (const [name, v] of Object.entries({ MINUTES, STREAMS, KILL_EVERY_MS, SAMPLE_MS, WARMUP_MS })) {
  if (!Number.isFinite(v) || v <= 0) {
    console.error(`soak: ${name} must be a positive number`);
    process.exit(2);
  }
}

/** Flat: the last third of the samples after warm-up is within this of the first third (medians). */
const RSS_TOLERANCE = { ratio: 0.1, mb: 15 };
const FD_TOLERANCE = 10;

interface Sample {
  at: number;
  rssMb: number;
  fds: number;
}

function openFiles(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return NaN;
  }
}

const median = (values: number[]) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor(sorted.length / 2)] : NaN;
};

function flatness(samples: Sample[], startedAt: number) {
  const steady = samples.filter((s) => s.at - startedAt >= WARMUP_MS);
  if (steady.length < 3) return { verdict: 'too short', rss: [NaN, NaN], fds: [NaN, NaN] };
  const third = Math.max(1, Math.floor(steady.length / 3));
  const rss = [median(steady.slice(0, third).map((s) => s.rssMb)), median(steady.slice(-third).map((s) => s.rssMb))];
  const fds = [median(steady.slice(0, third).map((s) => s.fds)), median(steady.slice(-third).map((s) => s.fds))];
  const rssFlat = rss[1] - rss[0] <= Math.max(RSS_TOLERANCE.mb, rss[0] * RSS_TOLERANCE.ratio);
  const fdFlat = fds[1] - fds[0] <= FD_TOLERANCE;
  return { verdict: rssFlat && fdFlat ? 'flat' : `growing (${rssFlat ? '' : 'rss '}${fdFlat ? '' : 'fds'})`.replace(' )', ')'), rss, fds };
}

async function main(): Promise<void> {
  const pipeline = await Pipeline.start({
    name: 'soak',
    transcodeMode: 'passthrough',
    extraEnv: { LIVEPEER_LOCAL_BROADCASTER_RESTART_MS: 3000, LIVEPEER_LOCAL_MAX_SESSIONS: STREAMS * 2 },
  });
  const publishers: ManagedProcess[] = [];
  try {
    const file = await encodeReplaySource(pipeline.env.tmpDir);
    const streams = await Promise.all(Array.from({ length: STREAMS }, (_, i) => pipeline.createStream(`soak ${i}`)));
    for (const [i, s] of streams.entries()) {
      publishers.push(replayPublisher(`pub-${i}`, file, `${pipeline.system.urls.rtmp}/${s.streamKey}`, MINUTES * 60));
    }
    const startedAt = Date.now();
    const samples = new Map<string, Sample[]>();
    const sample = () => {
      const at = Date.now();
      const line: string[] = [];
      for (const [name, proc] of pipeline.system.processes) {
        if (!proc.pid) continue;
        const s = { at, rssMb: rssMb([proc.pid]), fds: openFiles(proc.pid) };
        (samples.get(name) ?? samples.set(name, []).get(name)!).push(s);
        line.push(`${name} ${s.rssMb.toFixed(0)}MB/${s.fds}fd`);
      }
      console.log(`[soak] t=${((at - startedAt) / 1000).toFixed(0)}s ${line.join('  ')}`);
    };
    const kills: string[] = [];
    const killOne = async () => {
      const [address] = (await pipeline.broadcasters()).slice(kills.length % 2);
      if (!address) return;
      const { pid } = await broadcasterStatus(address);
      process.kill(pid, 'SIGKILL');
      kills.push(`${((Date.now() - startedAt) / 1000).toFixed(0)}s ${address} (pid ${pid})`);
      console.log(`[soak] ${new Date().toISOString().slice(11, 19)} UTC killed broadcaster ${address} (pid ${pid})`);
    };
    sample();
    const sampler = setInterval(sample, SAMPLE_MS);
    const killer = setInterval(
      () => void killOne().catch((err: Error) => console.log(`[soak] kill failed: ${err.message}`)),
      KILL_EVERY_MS,
    );
    await Promise.all(publishers.map((p) => p.exited));
    clearInterval(killer);
    clearInterval(sampler);
    sample();

    // Every segment accounted for: each row republished or dropped with a reason, none left behind.
    const totals = await accountSegments(pipeline, streams);

    console.log(`\n## Soak: ${STREAMS} streams, ${MINUTES} min, one broadcaster killed every ${KILL_EVERY_MS / 60_000} min\n`);
    console.log(`Kills: ${kills.join('; ') || 'none'}. Warm-up excluded from the flatness check: ${WARMUP_MS / 1000} s.\n`);
    console.log('| process | RSS start -> end after warm-up (MB) | open files start -> end | verdict |');
    console.log('| --- | --- | --- | --- |');
    for (const [name, list] of samples) {
      const f = flatness(list, startedAt);
      console.log(`| ${name} | ${f.rss[0].toFixed(0)} -> ${f.rss[1].toFixed(0)} | ${f.fds[0]} -> ${f.fds[1]} | ${f.verdict} |`);
    }
    const dropped = describeDrops(totals);
    console.log(
      `\nSegments: ${totals.segments} in ${totals.sessions} sessions; republished ${totals.republished}; dropped ${dropped}; unresolved ${totals.unresolved}.`,
    );
    for (const line of totals.problems) console.log(`- ${line}`);
    console.log(totals.unresolved === 0 ? 'Every segment accounted for.' : `${totals.unresolved} segments NOT accounted for.`);
    if (totals.unresolved > 0) process.exitCode = 1;
  } finally {
    for (const p of publishers) p.kill();
    await pipeline.stop();
  }
}

void main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
