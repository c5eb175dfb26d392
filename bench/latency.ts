/**
 * Glass-to-glass latency, as a viewer sees it: the relay against a no-relay baseline fed by
 * the very same encode.
 *
 * - One encoder (ClockPublisher, libs/testing): this process draws each 640x360 frame with the
 *   wall clock of its creation as 8 x 6 black/white blocks (frame-clock.ts), pipes it at 30 fps
 *   into ONE ffmpeg (libx264 zerolatency, GOP = segment length, silent AAC) whose tee muxer
 *   sends the same encoded stream to (a) the relay over RTMP (real transcoding, ladder 240p +
 *   144p) and (b) ffmpeg's own HLS muxer, same segment length, in a directory a static HTTP
 *   server in this process serves (the baseline: what a plain HLS origin gives).
 * - The viewer: hls.js (node_modules, default config) in headless Chromium plays (a) the
 *   relay's republished master playlist or (b) the baseline playlist. Every 250 ms the page
 *   draws the shown frame to a canvas and measures its blocks; latency = Date.now() at that
 *   moment - the clock read from the blocks (same machine clock). Several joins per path, each
 *   a fresh page after a random pause once the stream is warm, alternating relay and baseline.
 * - The relay's own share per segment (bench/support/segment-latency.ts, as bench/system.ts):
 *   listed in the republished playlist (polled every 50 ms) - ingest closing the segment
 *   (ledger ingestedAt) - the broadcaster round trip (transcoding),
 *   for the segments listed once the stream is warm (while the viewers watch).
 * - Cases: 2 s and 1 s segments (GOP = segment, SEGMENT_TARGET_SECONDS), each with
 *   WORKER_MULTIPART=true (renditions in the PUT answer) and false (broadcaster playlists).
 *
 *   node scripts/build.mjs
 *   npx vite-node --config vitest.config.ts bench/latency.ts -- --segments 2,1 --joins 4 --join-seconds 20
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { parseMediaPlaylist } from '@lib/hls';
import {
  ClockPublisher,
  ClockView,
  Pipeline,
  hlsDirectoryOutput,
  launchChromium,
  rtmpOutput,
  waitFor,
  watchFrameClock,
} from '@lib/testing';
import type { Browser } from 'playwright-core';
import { percentile } from './support/proc-stats';
import { ShareStages, recordListings, segmentLatencies } from './support/segment-latency';
import { serveDirectory } from './support/static-server';

const { values: args } = parseArgs({
  options: {
    segments: { type: 'string', default: '2,1' },
    multipart: { type: 'string', default: 'true,false' },
    joins: { type: 'string', default: '4' },
    'join-seconds': { type: 'string', default: '20' },
  },
  allowPositionals: true,
});
const SEGMENT_LENGTHS = args.segments!.split(',').map(Number);
const MULTIPART = args.multipart!.split(',').map((v) => v === 'true');
const JOINS = Number(args.joins);
const JOIN_SECONDS = Number(args['join-seconds']);
const RENDITION = 'P240p30fps16x9';
/** The targets the figures are read against: the relay's own share, and glass-to-glass against the baseline. */
const SHARE_TARGET_MS = { push: 300, playlist: 600 };
const RATIO_TARGET = 1.05;
const ABSOLUTE_TARGET_MS: Record<number, number> = { 2: 8000, 1: 5000 };

const fmt = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '-');
const pair = (values: number[]) => `${fmt(percentile(values, 50))} / ${fmt(percentile(values, 95))}`;

interface CaseResult {
  segmentSeconds: number;
  multipart: boolean;
  relay: ClockView[];
  baseline: ClockView[];
  relayShare: number[];
  stages: ShareStages | undefined;
  segments: number;
  encoderBacklogFrames: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function listedSegments(url: string): Promise<number> {
  try {
    const res = await fetch(url);
    return res.ok ? parseMediaPlaylist(await res.text()).segments.length : 0;
  } catch {
    return 0;
  }
}

async function runCase(browser: Browser, segmentSeconds: number, multipart: boolean): Promise<CaseResult> {
  const label = `${multipart ? 'push-answer' : 'playlist'}, ${segmentSeconds} s segments`;
  console.log(`running ${label}`);
  const pipeline = await Pipeline.start({
    name: `bench-g2g-${segmentSeconds}-${multipart}`,
    transcodeMode: 'ffmpeg',
    workers: 1,
    extraEnv: { SEGMENT_TARGET_SECONDS: segmentSeconds, WORKER_MULTIPART: String(multipart) },
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-g2g-'));
  const origin = await serveDirectory(dir);
  let publisher: ClockPublisher | undefined;
  try {
    const stream = await pipeline.createStream(`g2g ${label}`);
    const { collector, listedAt } = recordListings(pipeline, stream, RENDITION);
    publisher = ClockPublisher.start({
      outputs: [rtmpOutput(`${pipeline.system.urls.rtmp}/${stream.streamKey}`), hlsDirectoryOutput(dir, segmentSeconds)],
      gopSeconds: segmentSeconds,
    });
    const relayMaster = `${pipeline.stitcher}/hls/${stream.playbackId}/index.m3u8`;
    const relayMedia = `${pipeline.stitcher}/hls/${stream.playbackId}/${RENDITION}/index.m3u8`;
    const baselinePlaylist = `${origin.url}/index.m3u8`;
    // Warm: both paths list a few segments (a live window a default hls.js can start in).
    await waitFor(async () => (await listedSegments(relayMedia)) >= 4 && (await listedSegments(baselinePlaylist)) >= 4, {
      timeoutMs: 90_000,
      what: 'both playlists listing 4 segments',
    });
    const warmAt = Date.now();
    const result: CaseResult = {
      segmentSeconds,
      multipart,
      relay: [],
      baseline: [],
      relayShare: [],
      stages: undefined,
      segments: 0,
      encoderBacklogFrames: 0,
    };
    for (let join = 0; join < JOINS; join++) {
      for (const which of ['relay', 'baseline'] as const) {
        // A random offset into the segment cycle, so joins do not all land just after a keyframe.
        await sleep(Math.random() * segmentSeconds * 1000);
        const view = await watchFrameClock(browser, {
          origin: which === 'relay' ? `${pipeline.stitcher}/health/live` : `${origin.url}/`,
          playlistUrl: which === 'relay' ? relayMaster : baselinePlaylist,
          seconds: JOIN_SECONDS,
        });
        result[which].push(view);
        console.log(
          `running   ${which} join ${join + 1}: p50 ${fmt(percentile(view.latencies, 50))} ms, ${view.latencies.length} samples, ${view.unreadable} unreadable, startup ${fmt(view.startupMs)} ms, heights ${view.heights.join('/')}${view.errors.length ? `, errors ${view.errors.join(', ')}` : ''}`,
        );
      }
    }
    await publisher.stop();
    await collector.untilEnded(60_000).catch(() => collector.watcher.stop());
    // The relay's share in the steady state the viewers saw (session start-up is not a segment's cost).
    const steady = new Map([...listedAt].filter(([, at]) => at >= warmAt));
    const share = await segmentLatencies(pipeline, stream, steady, RENDITION, publisher.startedAt);
    result.relayShare = share.relayShare;
    result.stages = share.stages;
    result.segments = share.segments;
    result.encoderBacklogFrames = publisher.maxBacklogFrames;
    return result;
  } finally {
    await publisher?.stop();
    await origin.close();
    rmSync(dir, { recursive: true, force: true });
    await pipeline.stop();
  }
}

function row(r: CaseResult): string {
  const relay = r.relay.flatMap((v) => v.latencies);
  const baseline = r.baseline.flatMap((v) => v.latencies);
  const ratio = percentile(relay, 50) / percentile(baseline, 50);
  const shareTarget = r.multipart ? SHARE_TARGET_MS.push : SHARE_TARGET_MS.playlist;
  const path = r.multipart ? 'push-answer (WORKER_MULTIPART=true)' : 'playlist (WORKER_MULTIPART=false)';
  const targets = `share p95 <= ${shareTarget}; ratio <= ${RATIO_TARGET}; relay < ${ABSOLUTE_TARGET_MS[r.segmentSeconds] ?? '-'}`;
  return `| ${path} | ${r.segmentSeconds} s | ${pair(relay)} | ${pair(baseline)} | ${Number.isFinite(ratio) ? ratio.toFixed(2) : '-'} | ${pair(r.relayShare)} (${r.segments} segments) | ${relay.length} / ${baseline.length} | ${r.encoderBacklogFrames} | ${targets} |`;
}

async function main() {
  const browser = await launchChromium();
  const results: CaseResult[] = [];
  try {
    for (const segmentSeconds of SEGMENT_LENGTHS) {
      for (const multipart of MULTIPART) results.push(await runCase(browser, segmentSeconds, multipart));
    }
  } finally {
    await browser.close();
  }
  console.log(
    `\n### Glass-to-glass latency (one stream, real transcoding 240p + 144p, hls.js default config; ${JOINS} joins x ${JOIN_SECONDS} s per path; ms)\n`,
  );
  console.log(
    '| relay path | segment length | relay p50 / p95 | baseline p50 / p95 | ratio (p50) | relay share p50 / p95 | samples relay / baseline | encoder backlog (max frames) | targets (ms) |',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  results.forEach((r) => console.log(row(r)));
  console.log('\nWhere the relay share goes (p50 / p95 per stage, ms):\n');
  console.log(
    "| relay path | segment length | encoder -> ingest close (not the relay's) | close -> enqueued | worker overhead | uploaded -> listed |",
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const r of results) {
    const s = r.stages;
    if (!s) continue;
    console.log(
      `| ${r.multipart ? 'push-answer' : 'playlist'} | ${r.segmentSeconds} s | ${pair(s.encoderToClose)} | ${pair(s.ingestedToQueued)} | ${pair(s.workerOverhead)} | ${pair(s.uploadedToListed)} |`,
    );
  }
  const heights = (views: ClockView[]) => [...new Set(views.flatMap((v) => v.heights))].sort((a, b) => a - b).join('/') || '-';
  console.log(
    `\nRenditions the viewers were shown (video height, hls.js picks by bandwidth): ${results.map((r) => `${r.multipart ? 'push-answer' : 'playlist'} ${r.segmentSeconds} s: relay ${heights(r.relay)}, baseline ${heights(r.baseline)}`).join('; ')}.`,
  );
  console.log(
    `\nTargets: relay share p95 <= ${SHARE_TARGET_MS.push} ms (push-answer), <= ${SHARE_TARGET_MS.playlist} ms (playlist); glass-to-glass <= ${RATIO_TARGET} x baseline; < 8 s at 2 s segments, < 5 s at 1 s. Figures are printed, never asserted.`,
  );
  console.log(
    "How: one encode of frames carrying the wall clock as blocks, teed to the relay (RTMP) and to ffmpeg's own HLS muxer served as files (baseline); hls.js in headless Chromium samples the shown frame every 250 ms, latency = now - the clock in the frame. Relay share = listed in the republished playlist (polled every 50 ms) - ingest closing the segment - broadcaster round trip, from the ledger; the stage table adds the encoder -> ingest close time, which a no-relay origin pays alike. Encoder backlog: frames waiting for ffmpeg (more than a few: the machine could not encode in real time, which delays both paths alike).",
  );
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
