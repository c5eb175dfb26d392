import { probeMedia } from '@lib/media';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import type { DataSource, SessionState } from '@lib/database';
import { DEV_LIVEPEER_API_KEY, databaseConfig, s3Config } from '@lib/config';
import { SegmentEntity, SessionEntity, openDataSource } from '@lib/database';
import { SEGMENT_UPLOAD_QUEUE, SessionEvent, UploadSegmentPayload, parseSessionEvent } from '@lib/queue';
import { ManagedProcess, distEntry } from '@lib/runtime';
import { StorageService } from '@lib/storage';
import { testPatternArgs } from '@lib/media';
import { RunningApp, TestEnv, spawnApp, waitFor } from '@lib/testing';

const run = promisify(execFile);

/** Test-side view of a running ingest: its processes, ports, output, and the stores it writes. */
export interface IngestStack {
  vars: NodeJS.ProcessEnv;
  livepeer: RunningApp;
  ingest: RunningApp;
  rtmpPort: number;
  /** Every line ingest printed since it started. */
  lines: string[];
  db: DataSource;
  storage: StorageService;
  queue: Queue<UploadSegmentPayload>;
  close(): Promise<void>;
}

/** livepeer-local (API only) + the built ingest app, bound to the test's resources. */
/** `extra` goes to ingest; `livepeerExtra` to livepeer-local (no broadcasters unless it says). */
export async function startIngestStack(
  env: TestEnv,
  extra: Record<string, string | number> = {},
  livepeerExtra: Record<string, string | number> = {},
): Promise<IngestStack> {
  const livepeer = await spawnApp('livepeer-local', env.processEnv({ LIVEPEER_LOCAL_BROADCASTERS: 0, ...livepeerExtra }));
  const vars = env.processEnv({
    LIVEPEER_API_URL: `${livepeer.url}/api`,
    INGEST_SPOOL_DIR: path.join(env.tmpDir, 'spool'),
    ...extra,
  });
  const { ingest, rtmpPort, lines } = await startIngest(vars);
  const { db, storage, queue } = await openStores(vars);
  return {
    vars,
    livepeer,
    ingest,
    rtmpPort,
    lines,
    db,
    storage,
    queue,
    async close() {
      await queue.close().catch(() => undefined);
      await ingest.proc.stop();
      await livepeer.proc.stop();
      await db.destroy().catch(() => undefined);
    },
  };
}

/** The database, bucket and queue an ingest with these settings writes to, for assertions. */
export async function openStores(vars: NodeJS.ProcessEnv) {
  const db = await openDataSource(databaseConfig.load(vars as Record<string, string>), false);
  const storage = new StorageService(s3Config.load(vars as Record<string, string>));
  const queue = new Queue<UploadSegmentPayload>(SEGMENT_UPLOAD_QUEUE, { connection: { url: vars.REDIS_URL! }, prefix: vars.REDIS_PREFIX });
  return { db, storage, queue };
}

export async function startIngest(vars: NodeJS.ProcessEnv): Promise<{ ingest: RunningApp; rtmpPort: number; lines: string[] }> {
  const ingest = await spawnApp('ingest', vars);
  const lines: string[] = ingest.proc.tail(500).split('\n');
  ingest.proc.on('line', (line: string) => lines.push(line));
  const rtmpPort = await ingest.proc.waitForListening('rtmp');
  return { ingest, rtmpPort, lines };
}

export interface CreatedStream {
  id: string;
  streamKey: string;
  playbackId: string;
  rtmpUrl: string;
  httpPushUrl: string;
  playbackUrl: string;
  ladder: { presets?: string[]; profiles?: unknown[] };
}

/** `npm run cli -- streams ...` against the test's database (the built CLI). */
export async function cli(vars: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [distEntry('apps/ingest/src/cli'), ...args], { env: vars });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

export async function createStream(vars: NodeJS.ProcessEnv, name: string, ...ladder: string[]): Promise<CreatedStream> {
  const result = await cli(vars, 'streams', 'create', '--name', name, ...ladder, '--json');
  if (result.code !== 0) throw new Error(`streams create failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as CreatedStream;
}

export function rtmpUrl(stack: IngestStack, key: string): string {
  return `rtmp://127.0.0.1:${stack.rtmpPort}/live/${key}`;
}

export async function sessionsOf(db: DataSource, streamId: string): Promise<SessionEntity[]> {
  return db.getRepository(SessionEntity).find({ where: { streamId }, order: { startedAt: 'ASC' } });
}

/** A stream's `index`-th session once it exists, and once it is in `state` when one is given. */
export function awaitSession(
  db: DataSource,
  stream: { id: string },
  options: { state?: SessionState; index?: number; what?: string; timeoutMs?: number } = {},
): Promise<SessionEntity> {
  const { state, index = 0, timeoutMs } = options;
  const what = options.what ?? `session ${index} of stream ${stream.id}${state ? ` ${state}` : ''}`;
  return waitFor(
    async () => {
      const session = (await sessionsOf(db, stream.id))[index];
      return session && (!state || session.state === state) ? session : null;
    },
    { what, timeoutMs },
  );
}

export async function ledgerOf(db: DataSource, sessionId: string): Promise<SegmentEntity[]> {
  return db.getRepository(SegmentEntity).find({ where: { sessionId }, order: { seq: 'ASC' } });
}

/** Decodes every video frame of a segment: frames, size, duration, and whatever ffprobe complained about. */
export async function decodeSegment(
  file: string,
): Promise<{ frames: number; width: number; height: number; duration: number; errors: string }> {
  const { stdout, stderr } = await run('ffprobe', [
    '-v',
    'error',
    '-count_frames',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=nb_read_frames,width,height:format=duration',
    '-of',
    'json',
    file,
  ]);
  const parsed = JSON.parse(stdout) as {
    streams: { nb_read_frames: string; width: number; height: number }[];
    format: { duration: string };
  };
  return {
    frames: Number(parsed.streams[0]?.nb_read_frames ?? 0),
    width: parsed.streams[0]?.width ?? 0,
    height: parsed.streams[0]?.height ?? 0,
    duration: Number(parsed.format.duration),
    errors: stderr.trim(),
  };
}

export async function downloadSegment(storage: StorageService, key: string, dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, key.replace(/\//g, '_'));
  await writeFile(file, await storage.getBuffer(key));
  return file;
}

/** Segments of a synthetic H.264 stream, as a push client would have them, with exact durations. */
export async function encodePushSegments(dir: string, seconds: number): Promise<{ file: string; durationMs: number }[]> {
  await mkdir(dir, { recursive: true });
  const list = path.join(dir, 'list.csv');
  await run('ffmpeg', [
    ...testPatternArgs({ seconds, gopFrames: 60 }),
    '-f',
    'segment',
    '-segment_time',
    '2',
    '-segment_format',
    'mpegts',
    '-segment_list',
    list,
    '-segment_list_type',
    'csv',
    path.join(dir, '%d.ts'),
  ]);
  const entries = (await readFile(list, 'utf8')).trim().split('\n');
  // Each segment's duration as ingest measures a pushed one: its video's (the encoder's list
  // also counts the first segment's AAC priming, 23 ms).
  return Promise.all(
    entries.map(async (line) => {
      const file = path.join(dir, line.split(',')[0]);
      return { file, durationMs: Math.round((await probeMedia(file)).video!.duration! * 1000) };
    }),
  );
}

export async function encodeHevcSegment(file: string): Promise<void> {
  await run('ffmpeg', [
    '-nostdin',
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=320x180:rate=30:duration=2',
    '-c:v',
    'libx265',
    '-preset',
    'ultrafast',
    '-x265-params',
    'log-level=error:keyint=60',
    '-pix_fmt',
    'yuv420p',
    '-f',
    'mpegts',
    file,
  ]);
}

/** An RTMP publisher of a non-H.264 codec (Sorenson H.263: what ffmpeg's FLV muxer can carry besides H.264). */
export function publishSorenson(url: string, seconds: number): ManagedProcess {
  return new ManagedProcess({
    name: 'ffmpeg-flv1',
    command: 'ffmpeg',
    args: [
      '-nostdin',
      '-hide_banner',
      '-loglevel',
      'error',
      '-re',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=320x180:rate=30:duration=${seconds}`,
      '-c:v',
      'flv',
      '-g',
      '60',
      '-f',
      'flv',
      url,
    ],
  });
}

export async function push(
  url: string,
  body: Buffer,
  headers: Record<string, string> = {},
  method = 'PUT',
): Promise<{ status: number; text: string; contentType: string | null }> {
  const response = await fetch(url, { method, body: method === 'GET' ? undefined : body, headers });
  return { status: response.status, text: await response.text(), contentType: response.headers.get('content-type') };
}

/** Collects session events from the environment's channel. */
export async function watchSessionEvents(
  redisUrl: string,
  prefix: string,
): Promise<{ events: SessionEvent[]; close: () => Promise<void> }> {
  const sub = new Redis(redisUrl);
  const events: SessionEvent[] = [];
  sub.on('message', (_channel, message) => {
    const event = parseSessionEvent(message);
    if (!event) throw new Error(`not a session event: ${message}`);
    events.push(event);
  });
  await sub.subscribe(`${prefix}:session-events`);
  return { events, close: async () => void (await sub.quit()) };
}

export async function getLivepeerStream(livepeer: RunningApp, id: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${livepeer.url}/api/stream/${id}`, { headers: { Authorization: `Bearer ${DEV_LIVEPEER_API_KEY}` } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Opens a TCP connection, writes `bytes`, and returns the socket (the caller closes it). */
export function rawConnect(port: number, bytes: Buffer): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => {
      socket.write(bytes);
      resolve(socket);
    });
    socket.on('error', () => undefined);
    socket.once('error', reject);
  });
}

/** A complete RTMP handshake (C0 C1, read S0 S1 S2, C2), then `bytes` that are not RTMP chunks. */
export async function rtmpHandshakeThenGarbage(port: number, bytes: Buffer): Promise<net.Socket> {
  const c1 = Buffer.alloc(1536);
  const socket = await rawConnect(port, Buffer.concat([Buffer.from([3]), c1]));
  await new Promise<void>((resolve) => {
    let received = 0;
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received >= 1 + 1536 * 2) resolve();
    });
  });
  socket.write(Buffer.alloc(1536));
  socket.write(bytes);
  return socket;
}

/**
 * One scrape of ingest's /metrics: `value(pattern)` reads the number captured by the first
 * line matching `pattern`, NaN when no line matches (the series does not exist yet).
 */
export async function scrapeMetrics(stack: IngestStack): Promise<(pattern: RegExp) => number> {
  const text = await (await fetch(`${stack.ingest.url}/metrics`)).text();
  return (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? NaN);
}
