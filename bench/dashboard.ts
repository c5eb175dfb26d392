/**
 * Dashboard benchmark: what the admin endpoints behind the live overview and the charts cost the
 * database at N live streams, each with --minutes of 2 s segments in the ledger.
 *
 *   node scripts/build.mjs
 *   npx vite-node --config vitest.config.ts bench/dashboard.ts -- --streams 20,100 --minutes 30
 *
 * Set-up: the machine's PostgreSQL (this run's own schema), N streams each with one live session,
 * --minutes of ledger rows per session (2 s apart, every 50th dropped by the worker, every 70th
 * skipped by the stitcher) and the source rendition's rows. Figures (ms, p50 / max of --rounds):
 * - overview: one OverviewQuery.snapshot(), computed once every 2 s for every viewer of the page;
 * - stream history: one stream's last hour (HistoryQuery.stream), polled every 5 s by its page;
 * - broadcaster history: the last hour of every broadcaster (HistoryQuery.broadcasters).
 * Then the overview page in headless Chromium with --cards synthetic live streams updated every
 * 2 s over server-sent events (bench/support/dashboard-server.ts): main-thread time per update
 * (DevTools Performance metrics: script, style and layout together), layouts, and long tasks.
 */
import { Logger } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { databaseConfig } from '@lib/config';
import { RenditionSegmentEntity, SegmentEntity, SessionEntity, StreamEntity, databaseRepositories, openDataSource } from '@lib/database';
import { TestEnv, launchChromium, waitFor } from '@lib/testing';
import { HistoryQuery } from '../apps/stitcher/src/admin/history.service';
import { OverviewQuery } from '../apps/stitcher/src/admin/overview.service';
import { serveSyntheticOverview } from './support/dashboard-server';
import { percentile } from './support/proc-stats';

const UPDATE_MS = 2000;

/** The overview page at `cards` live streams: what each event-stream update costs the browser. */
async function browserRun(cards: number, seconds: number): Promise<string> {
  const server = await serveSyntheticOverview(cards, UPDATE_MS);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.addInitScript(() => localStorage.setItem('relay-admin-token', 'synthetic'));
    await page.goto(`${server.url}/#overview`);
    await page.waitForFunction((n) => document.querySelectorAll('#overview-cards article').length === n, cards);
    await page.evaluate(() => {
      (window as unknown as { longTasks: number }).longTasks = 0;
      new PerformanceObserver((list) => ((window as unknown as { longTasks: number }).longTasks += list.getEntries().length)).observe({
        type: 'longtask',
      });
    });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = async () =>
      Object.fromEntries(
        ((await cdp.send('Performance.getMetrics')).metrics as { name: string; value: number }[]).map((m) => [m.name, m.value]),
      );
    const before = await metrics();
    const firstRound = server.rounds();
    await waitFor(() => server.rounds() >= firstRound + seconds / (UPDATE_MS / 1000), { timeoutMs: seconds * 2000, intervalMs: 500 });
    const after = await metrics();
    const updates = server.rounds() - firstRound;
    const busyMs = (after.TaskDuration - before.TaskDuration) * 1000;
    const layouts = after.LayoutCount - before.LayoutCount;
    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: number }).longTasks);
    const heapMb = after.JSHeapUsedSize / 2 ** 20;
    const part = (name: string) => (((after[name] - before[name]) * 1000) / updates).toFixed(1);
    console.error(
      `cards ${cards}: script ${part('ScriptDuration')} style ${part('RecalcStyleDuration')} layout ${part('LayoutDuration')} ms per update`,
    );
    return `| ${cards} | ${updates} | ${(busyMs / updates).toFixed(1)} | ${(layouts / updates).toFixed(1)} | ${longTasks} | ${heapMb.toFixed(1)} |`;
  } finally {
    await browser.close();
    await server.close();
  }
}

const { values: args } = parseArgs({
  options: {
    streams: { type: 'string', default: '20,100' },
    minutes: { type: 'string', default: '30' },
    rounds: { type: 'string', default: '10' },
    cards: { type: 'string', default: '20,100' },
    'browser-seconds': { type: 'string', default: '20' },
  },
});
const SEGMENT_MS = 2000;
const BROADCASTERS = ['http://b1:8935', 'http://b2:8935'];

async function timed(rounds: number, run: () => Promise<unknown>): Promise<string> {
  const ms: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    await run();
    ms.push(performance.now() - started);
  }
  return `${percentile(ms, 50).toFixed(0)} / ${Math.max(...ms).toFixed(0)}`;
}

async function main() {
  Logger.overrideLogger(['error', 'warn']);
  const counts = args.streams.split(',').map(Number);
  const minutes = Number(args.minutes);
  const rounds = Number(args.rounds);
  const perSession = Math.floor((minutes * 60_000) / SEGMENT_MS);
  console.log(`dashboard endpoints on PostgreSQL, ${minutes} min of 2 s segments per live stream; ms p50 / max of ${rounds} rounds`);
  console.log('\n| live streams | ledger rows | overview snapshot | one stream history (1 h) | broadcaster history (1 h) |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const n of counts) {
    const env = await TestEnv.create({ name: `bench-dashboard-${n}`, s3: false });
    const ds = await openDataSource(databaseConfig.load(env.vars()), true);
    try {
      const repos = databaseRepositories(ds);
      const now = Date.now();
      const start = now - perSession * SEGMENT_MS;
      const streams: StreamEntity[] = [];
      for (let i = 0; i < n; i++) {
        const stream = ds.getRepository(StreamEntity).create({
          id: randomUUID(),
          name: `stream ${i}`,
          ladder: {},
          keyHash: randomBytes(32).toString('hex'),
          playbackId: randomBytes(8).toString('hex'),
          enabled: true,
          createdAt: start,
          updatedAt: start,
        });
        streams.push(stream);
        const session = ds.getRepository(SessionEntity).create({
          id: randomUUID(),
          streamId: stream.id,
          livepeerStreamId: null,
          livepeerStreamKey: null,
          livepeerPlaybackId: null,
          profiles: [],
          renditions: {},
          state: 'live',
          stateReason: null,
          protocol: 'rtmp',
          source: null,
          targetDuration: 2,
          startedAt: start,
          endedAt: null,
        });
        await ds.getRepository(StreamEntity).insert(stream);
        await ds.getRepository(SessionEntity).insert(session);
        const ledger: Partial<SegmentEntity>[] = [];
        const listed: Partial<RenditionSegmentEntity>[] = [];
        for (let seq = 0; seq < perSession; seq++) {
          const at = start + seq * SEGMENT_MS;
          const dropped = seq % 50 === 49;
          const skipped = seq % 70 === 69;
          ledger.push({
            sessionId: session.id,
            streamId: stream.id,
            seq,
            durationMs: SEGMENT_MS,
            bytes: 200_000,
            resolution: null,
            objectKey: `segments/${session.id}/${seq}.ts`,
            state: dropped ? 'dropped' : skipped ? 'uploaded' : 'republished',
            dropReason: dropped ? 'deadline-exceeded' : null,
            dropDetail: null,
            broadcasters: dropped ? [BROADCASTERS[0]] : [BROADCASTERS[seq % 2]],
            renditions: null,
            uploadMs: dropped ? null : 40,
            roundTripMs: dropped ? null : 300 + (seq % 7) * 20,
            startedAt: at,
            ingestedAt: at,
            queuedAt: at,
            uploadedAt: dropped ? null : at + 350,
            updatedAt: at,
          });
          if (!dropped) {
            listed.push({
              sessionId: session.id,
              seq,
              rendition: 'source',
              playbackId: stream.playbackId,
              state: skipped ? 'dropped' : 'republished',
              msn: skipped ? null : seq,
              durationMs: SEGMENT_MS,
              bytes: 200_000,
              objectKey: null,
              discontinuity: false,
              programDateTime: skipped ? null : at,
              dropReason: skipped ? 'fetch-failed' : null,
              republishedAt: at + 900,
            });
          }
        }
        for (let i = 0; i < ledger.length; i += 1000) await ds.getRepository(SegmentEntity).insert(ledger.slice(i, i + 1000));
        for (let i = 0; i < listed.length; i += 1000) await ds.getRepository(RenditionSegmentEntity).insert(listed.slice(i, i + 1000));
      }
      await ds.query('ANALYZE');
      const overview = new OverviewQuery(repos.sessions, repos.streams, repos.history);
      const history = new HistoryQuery(repos.history, repos.sessions, repos.streams);
      const snapshot = await overview.snapshot();
      if (snapshot.cards.length !== n) throw new Error(`overview has ${snapshot.cards.length} cards, not ${n}`);
      const overviewMs = await timed(rounds, () => overview.snapshot());
      const streamMs = await timed(rounds, () => history.stream(streams[0].id, 60));
      const broadcasterMs = await timed(rounds, () => history.broadcasters(60));
      console.log(`| ${n} | ${n * perSession} | ${overviewMs} | ${streamMs} | ${broadcasterMs} |`);
    } finally {
      await ds.destroy();
      await env.cleanup();
    }
  }
  console.log(`\noverview page in headless Chromium, an update every ${UPDATE_MS / 1000} s over server-sent events`);
  console.log(
    '\n| live streams (cards) | updates | main-thread ms per update | layouts per update | long tasks (> 50 ms) | JS heap (MB) |',
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const cards of args.cards.split(',').map(Number)) console.log(await browserRun(cards, Number(args['browser-seconds'])));
  console.log('\nmachine shared with other work while measured; figures are indicative');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
