/**
 * System benchmark (issue 7): the whole relay as `npm start` runs it, on free ports.
 *
 * 1. End-to-end latency, one stream, real transcoding (240p + 144p): for each segment, the
 *    time from its first frame entering the encoder (publish start + the segment's media
 *    start) to the segment being listed in the republished playlist (polled every 50 ms),
 *    p50/p95; and the relay's own share: that latency minus the segment's duration (it
 *    cannot be listed before it is complete) minus the broadcaster round trip (transcoding).
 * 2. Baseline in the same run: ffmpeg's own HLS muxer PUTs the same kind of stream straight
 *    to a broadcaster (no relay); latency = first frame -> segment listed in the
 *    broadcaster's rendition playlist. The relay's overhead is reported as a ratio.
 * 3. CPU (% of one core) and peak RSS of each app (process trees: livepeer-local with its
 *    broadcasters, ingest with any children) with N streams (passthrough transcoding;
 *    publishers replay a file encoded once with `-re -stream_loop -1 -c copy`).
 *
 *   node scripts/build.mjs
 *   npx vite-node --config vitest.config.ts bench/system.ts -- --streams 1,10 --seconds 40
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseMediaPlaylist } from '@lib/hls';
import { ManagedProcess } from '@lib/runtime';
import { Pipeline, testPatternArgs, waitFor } from '@lib/testing';
import { TreeSampler, percentile } from './support/proc-stats';
import { encodeReplaySource, replayPublisher } from './support/replay';
import { SegmentLatencies, noStages, recordListings, segmentLatencies } from './support/segment-latency';

const { values: args } = parseArgs({
  options: {
    streams: { type: 'string', default: '1,10' },
    seconds: { type: 'string', default: '40' },
    'resource-seconds': { type: 'string', default: '30' },
  },
  allowPositionals: true,
});
const SECONDS = Number(args.seconds);
const STREAM_COUNTS = args.streams!.split(',').map(Number);
const RESOURCE_SECONDS = Number(args['resource-seconds']);
const RENDITION = 'P240p30fps16x9';
const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '-');

type LatencyResult = SegmentLatencies;

/** Relay: publish over RTMP, watch the republished playlist, join with the ledger's timeline. */
async function relayLatency(): Promise<LatencyResult> {
  const pipeline = await Pipeline.start({ name: 'bench-latency', transcodeMode: 'ffmpeg', workers: 1 });
  try {
    const stream = await pipeline.createStream('bench latency');
    const { collector, listedAt } = recordListings(pipeline, stream, RENDITION);
    const publishedAt = Date.now();
    await pipeline.publish(stream, SECONDS).exited;
    await collector.untilEnded();
    return await segmentLatencies(pipeline, stream, listedAt, RENDITION, publishedAt);
  } finally {
    await pipeline.stop();
  }
}

/** Baseline: ffmpeg's HLS muxer PUTs segments straight to a livepeer-local broadcaster. */
async function baselineLatency(): Promise<LatencyResult> {
  const pipeline = await Pipeline.start({ name: 'bench-baseline', transcodeMode: 'ffmpeg', workers: 1 });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-baseline-'));
  try {
    const api = pipeline.system.urls.livepeerApi;
    const created = await fetch(`${api}/stream`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${pipeline.system.env.LIVEPEER_API_KEY ?? 'livepeer-local-dev-key'}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ name: 'baseline', presets: ['P240p30fps16x9', 'P144p30fps16x9'] }),
    });
    const { id } = (await created.json()) as { id: string };
    const [broadcaster] = await pipeline.broadcasters();
    const seenAt = new Map<number, number>();
    const poll = setInterval(async () => {
      try {
        const res = await fetch(`${broadcaster}/stream/${id}/${RENDITION}.m3u8`);
        if (!res.ok) return;
        for (const s of parseMediaPlaylist(await res.text()).segments) {
          const seq = parseInt(path.basename(s.uri), 10);
          if (!seenAt.has(seq)) seenAt.set(seq, Date.now());
        }
      } catch {
        // not there yet
      }
    }, 100);
    const encoder = testPatternArgs({ output: 'unused', seconds: SECONDS, width: 640, height: 360, gopSeconds: 2 });
    // Same encoder settings as the relay run, but the HLS muxer PUTs each segment itself.
    const hlsArgs = [
      ...encoder.slice(0, encoder.indexOf('-f', encoder.indexOf('-b:a'))),
      '-f',
      'hls',
      '-hls_time',
      '2',
      '-hls_list_size',
      '6',
      '-method',
      'PUT',
      '-hls_segment_filename',
      `${broadcaster}/live/${id}/%d.ts`,
      path.join(tmp, 'index.m3u8'),
    ];
    const publishedAt = Date.now();
    const ffmpeg = new ManagedProcess({ name: 'ffmpeg-hls', command: 'ffmpeg', args: hlsArgs });
    await ffmpeg.exited;
    await waitFor(() => seenAt.size >= Math.floor(SECONDS / 2) - 1, { timeoutMs: 30_000, what: 'baseline segments listed' }).catch(
      () => undefined,
    );
    clearInterval(poll);
    const result: LatencyResult = { segments: 0, latency: [], relayShare: [], stages: noStages() };
    for (const [seq, at] of [...seenAt].sort((a, b) => a[0] - b[0])) {
      result.segments++;
      result.latency.push(at - (publishedAt + seq * 2000));
    }
    return result;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    await pipeline.stop();
  }
}

async function resources(streams: number, file: string) {
  const pipeline = await Pipeline.start({ name: `bench-res-${streams}`, transcodeMode: 'passthrough', workers: 1 });
  try {
    const created = await Promise.all(Array.from({ length: streams }, (_, i) => pipeline.createStream(`bench ${i}`)));
    const publishers = created.map((s, i) =>
      replayPublisher(`pub-${i}`, file, `${pipeline.system.urls.rtmp}/${s.streamKey}`, RESOURCE_SECONDS + 10),
    );
    // Measure the steady state: skip the first 10 s (sessions and Livepeer streams being created).
    await new Promise((r) => setTimeout(r, 10_000));
    const samplers = [...pipeline.system.processes].filter(([, p]) => p.pid).map(([name, p]) => [name, new TreeSampler(p.pid!)] as const);
    samplers.forEach(([, s]) => s.start());
    await new Promise((r) => setTimeout(r, RESOURCE_SECONDS * 1000));
    const figures = Object.fromEntries(samplers.map(([name, s]) => [name, s.stop()]));
    await Promise.all(publishers.map((p) => p.exited));
    return figures;
  } finally {
    await pipeline.stop();
  }
}

async function main() {
  const relay = await relayLatency();
  const baseline = await baselineLatency();
  const p50 = (r: LatencyResult) => percentile(r.latency, 50);
  console.log(`\n### End-to-end latency (one stream, real transcoding 240p + 144p, ${SECONDS} s, 2 s segments; ms)\n`);
  console.log('| path | segments | p50 | p95 | relay share p50 | relay share p95 |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  console.log(
    `| relay (RTMP -> ingest -> worker -> broadcaster -> stitcher) | ${relay.segments} | ${fmt(p50(relay))} | ${fmt(percentile(relay.latency, 95))} | ${fmt(percentile(relay.relayShare, 50))} | ${fmt(percentile(relay.relayShare, 95))} |`,
  );
  console.log(
    `| baseline (ffmpeg HLS muxer PUT -> broadcaster playlist) | ${baseline.segments} | ${fmt(p50(baseline))} | ${fmt(percentile(baseline.latency, 95))} | - | - |`,
  );
  console.log(`\nrelay / baseline latency (p50): ${(p50(relay) / p50(baseline)).toFixed(2)}`);

  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-system-'));
  try {
    const file = await encodeReplaySource(dir);
    const rows: string[] = [];
    let names: string[] = [];
    for (const n of STREAM_COUNTS) {
      const figures = await resources(n, file);
      names = Object.keys(figures);
      rows.push(`| ${n} | ${names.map((k) => `${fmt(figures[k].cpuPercent)} % / ${fmt(figures[k].peakRssMb)} MB`).join(' | ')} |`);
    }
    console.log(
      `\n### CPU (% of one core) / peak RSS per app (process trees), passthrough transcoding, ${RESOURCE_SECONDS} s steady state\n`,
    );
    console.log(`| streams | ${names.join(' | ')} |`);
    console.log(`| --- | ${names.map(() => '---').join(' | ')} |`);
    rows.forEach((r) => console.log(r));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
