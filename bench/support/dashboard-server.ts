import { createReadStream, existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { repoRoot } from '@lib/runtime';
import type { OverviewCard, OverviewSnapshot } from '../../apps/stitcher/src/admin/overview.service';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/**
 * The built dashboard (dist/) with an event stream of `cards` synthetic live streams every
 * `intervalMs`, their figures changing each time (drops, delay, speed) so cards are rewritten and
 * reordered: what the browser does at that scale, without a relay carrying that many streams.
 */
export async function serveSyntheticOverview(cards: number, intervalMs: number) {
  const dashboard = path.join(repoRoot, 'dist/apps/stitcher/src/dashboard');
  const vendors: Record<string, string> = {
    '/vendor/hls/': path.dirname(require.resolve('hls.js/dist/hls.min.js')),
    '/vendor/uplot/': path.dirname(require.resolve('uplot/dist/uPlot.iife.min.js')),
  };
  let round = 0;
  const snapshot = (): OverviewSnapshot => {
    const now = Date.now();
    round++;
    return {
      serverTime: now,
      dropWindowMs: 600_000,
      cards: Array.from({ length: cards }, (_, i): OverviewCard => {
        const wobble = (i * 7 + round * 13) % 17;
        return {
          sessionId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          streamId: `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`,
          streamName: `stream ${i}`,
          playbackId: `pb${i}`,
          state: 'live',
          startedAt: now - 600_000,
          targetDuration: 2,
          newestProgramDateTime: now - 2000 - wobble * 500,
          newestDurationMs: 2000,
          drops: { total: wobble > 14 ? wobble - 14 : 0, byReason: wobble > 14 ? { 'deadline-exceeded': wobble - 14 } : {} },
          transcode: { status: 'ok', speedFactor: 0.9 + wobble / 20 },
        };
      }),
    };
  };
  const server = http.createServer((req, res) => {
    const { pathname } = new URL(req.url ?? '/', 'http://x');
    if (pathname === '/api/queues') return void res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    if (pathname === '/api/events/ticket') {
      return void res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ticket: 'synthetic', expiresAt: Date.now() + 30_000 }));
    }
    if (pathname === '/api/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      const send = () => res.write(`event: overview\ndata: ${JSON.stringify(snapshot())}\n\n`);
      send();
      const timer = setInterval(send, intervalMs);
      res.on('close', () => clearInterval(timer));
      return;
    }
    const vendor = Object.keys(vendors).find((prefix) => pathname.startsWith(prefix));
    const file = vendor
      ? path.join(vendors[vendor], path.basename(pathname))
      : path.join(dashboard, pathname === '/' ? 'index.html' : path.basename(pathname));
    if (pathname.startsWith('/hls/') || !existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    rounds: () => round,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
