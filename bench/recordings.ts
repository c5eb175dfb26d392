/**
 * Recordings, DVR and thumbnails: what each costs per stream.
 *
 * - Playlist build time per listed segment (appendListing + writeMediaPlaylist, the work of
 *   StreamPlaylists.list for one variant) at the default window (10 segments), a 12-minute DVR
 *   window and a 2-hour DVR window of 2 s segments (3600 segments), after the window is full.
 * - Live thumbnails: one segmentThumbnail run (ffmpeg decoding one frame) per 2 s segment of a
 *   640x360 test pattern: wall time and CPU (the children's CPU time in /proc/self/stat), and
 *   the CPU share of one stream that makes (CPU seconds per segment / 2 s).
 *
 *   node scripts/build.mjs
 *   npx vite-node --config vitest.config.ts bench/recordings.ts -- --appends 300 --thumbnails 20
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { writeMediaPlaylist, type PlaylistWindow } from '@lib/hls';
import { generateTestSegments, segmentThumbnail } from '@lib/media';
import { appendListing } from '../apps/stitcher/src/republish/window-state';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: { appends: { type: 'string', default: '300' }, thumbnails: { type: 'string', default: '20' } },
});
const APPENDS = Number(values.appends);
const THUMBNAILS = Number(values.thumbnails);
const SEGMENT_MS = 2000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** ms per listed segment once `windowSize` segments are listed. */
function buildTimes(windowSize: number): { mean: number; p95: number; bytes: number } {
  let window: PlaylistWindow | undefined;
  const start = Date.UTC(2026, 0, 1);
  let msn = 0;
  const append = () => {
    window = appendListing(window, {
      msn,
      durationMs: SEGMENT_MS,
      discontinuity: false,
      programDateTime: start + msn * SEGMENT_MS,
      targetDuration: 2,
      windowSize,
      discontinuitiesBefore: 0,
    }).window;
    msn += 1;
    return writeMediaPlaylist(window);
  };
  for (let i = 0; i < windowSize; i++) append(); // fill the window
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < APPENDS; i++) {
    const t0 = process.hrtime.bigint();
    bytes = append().length;
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { mean: times.reduce((s, t) => s + t, 0) / times.length, p95: percentile(times, 0.95), bytes };
}

/** CPU seconds of this process's finished children (utime + stime of /proc/self/stat). */
function childrenCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // After "pid (comm) ": field 3 is state; cutime and cstime are fields 16 and 17 (1-based) of the whole line.
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

async function thumbnails() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-thumbs-'));
  try {
    const segments = await generateTestSegments({ dir, seconds: 8, width: 640, height: 360, fps: 30, segmentSeconds: 2 });
    const walls: number[] = [];
    const cpuBefore = childrenCpuSeconds();
    for (let i = 0; i < THUMBNAILS; i++) {
      const t0 = Date.now();
      await segmentThumbnail(segments[i % segments.length].bytes);
      walls.push(Date.now() - t0);
    }
    const cpuPerRun = (childrenCpuSeconds() - cpuBefore) / THUMBNAILS;
    walls.sort((a, b) => a - b);
    return { wallMean: walls.reduce((s, t) => s + t, 0) / walls.length, wallP95: percentile(walls, 0.95), cpuPerRun };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  console.log(`Playlist build per listed segment (one variant, 2 s segments, ${APPENDS} appends after the window is full):\n`);
  console.log('| window | segments | playlist bytes | mean ms | p95 ms |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [label, size] of [
    ['default (PLAYLIST_WINDOW_SEGMENTS)', 10],
    ['DVR 12 min', 360],
    ['DVR 2 h', 3600],
  ] as const) {
    const r = buildTimes(size);
    console.log(`| ${label} | ${size} | ${r.bytes} | ${r.mean.toFixed(3)} | ${r.p95.toFixed(3)} |`);
  }
  const t = await thumbnails();
  console.log(`\nLive thumbnail (segmentThumbnail, 640x360 2 s segment, ${THUMBNAILS} runs):\n`);
  console.log('| wall mean ms | wall p95 ms | CPU s per run | CPU share of one stream (per 2 s segment) |');
  console.log('| ---: | ---: | ---: | ---: |');
  console.log(
    `| ${t.wallMean.toFixed(0)} | ${t.wallP95.toFixed(0)} | ${t.cpuPerRun.toFixed(3)} | ${((t.cpuPerRun / 2) * 100).toFixed(1)} % of a core |`,
  );
}

void main();
