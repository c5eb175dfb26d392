import path from 'node:path';
import { s3Config } from '@lib/config';
import { DEFAULT_RESTART_POLICY, ManagedProcess, RunningSystem, freePort, startRedisServer, startSystem } from '@lib/runtime';
import { StorageService } from '@lib/storage';
import { Republisher, publishTestPattern, publishWithReconnects } from './media';
import { PlaylistWatcher } from './playlist-watcher';
import { TEST_REDIS_URL, TestEnv } from './test-env';
import { waitFor } from './wait-for';

/** Keyframe interval of publish(); with the default 2 s segments it is also the session's target duration. */
export const PUBLISH_GOP_SECONDS = 2;
export const PIPELINE_ADMIN_TOKEN = 'pipeline-admin-token';
/** The ladder of every end-to-end case: small, so two cores keep up with real transcoding. */
export const PIPELINE_LADDER = ['P240p30fps16x9', 'P144p30fps16x9'];

export interface PipelineOptions {
  name: string;
  /** Copy every process's output to stdout (or set TEST_ECHO=1). */
  echo?: boolean;
  /** livepeer-local transcoding: real ffmpeg, or copy (remux) where the case is about something else. */
  transcodeMode: 'ffmpeg' | 'copy' | 'passthrough';
  workers?: number;
  /** Run a private redis-server (with AOF) the test may restart, instead of the machine's. */
  privateRedis?: boolean;
  extraEnv?: Record<string, string | number>;
  /** Restart crashed processes as npm start does (the launcher's default restart policy). */
  supervised?: boolean;
}

export interface CreatedStream {
  id: string;
  streamKey: string;
  playbackId: string;
}

export interface TimelineEntry {
  seq: number;
  state: string;
  dropReason: string | null;
  dropDetail?: string | null;
  durationMs: number;
  /** Epoch ms of each step (null until it happened); for failure messages that say where the time went. */
  ingestedAt?: number;
  queuedAt?: number | null;
  uploadedAt?: number | null;
  republishedAt?: number | null;
  broadcasters?: string[];
  attempts?: number;
  roundTripMs?: number | null;
  renditions: Record<string, { state: string; msn: number | null; dropReason: string | null }>;
}

/**
 * The whole relay as a user runs it (launcher: livepeer-local with two broadcasters,
 * ingest, workers, stitcher, embedded S3), on free ports with this test's own Redis
 * prefix, bucket and database schema. Publishes with ffmpeg over RTMP, watches the
 * republished playlists like a player and checks the outcome against the ledger.
 */
export class Pipeline {
  private constructor(
    readonly env: TestEnv,
    readonly system: RunningSystem,
    readonly storage: StorageService,
    readonly redis: { proc: ManagedProcess; port: number; dataDir: string } | undefined,
    /** The launcher's progress lines (restarts, crash loops, the stopping order). */
    readonly systemLog: string[],
  ) {}

  static async start(options: PipelineOptions): Promise<Pipeline> {
    const env = await TestEnv.create({ name: options.name, s3: false });
    let redis: Pipeline['redis'];
    if (options.privateRedis) {
      const port = await freePort();
      const dataDir = path.join(env.tmpDir, 'redis');
      redis = { proc: await startRedisServer({ port, dataDir }), port, dataDir };
    }
    const vars = env.vars({
      REDIS_URL: redis ? `redis://127.0.0.1:${redis.port}` : TEST_REDIS_URL,
      // Fixed ports where a restart must keep the URL (stitcher, S3).
      STITCHER_HTTP_PORT: await freePort(),
      S3_PORT: await freePort(),
      LIVEPEER_LOCAL_BROADCASTERS: 2,
      LIVEPEER_LOCAL_TRANSCODE_MODE: options.transcodeMode,
      LIVEPEER_LOCAL_SESSION_TIMEOUT_MS: 20_000,
      ADMIN_TOKEN: PIPELINE_ADMIN_TOKEN,
      POLL_INTERVAL_MS: 300,
      STITCHER_SCAN_INTERVAL_MS: 500,
      STITCHER_END_GRACE_MS: 4000,
      STITCHER_LEASE_TTL_MS: 3000,
      ...options.extraEnv,
    });
    delete vars.S3_ENDPOINT; // the launcher runs the embedded S3 server as its own process
    const systemLog: string[] = [];
    const system = await startSystem({
      env: { ...process.env, ...vars },
      dataDir: path.join(env.tmpDir, 'data'),
      workers: options.workers ?? 2,
      echo: options.echo ?? process.env.TEST_ECHO === '1',
      log: (line) => systemLog.push(line),
      restartPolicy: options.supervised ? DEFAULT_RESTART_POLICY : undefined,
    });
    const storage = new StorageService(s3Config.load({ ...vars, S3_ENDPOINT: system.urls.s3 }));
    return new Pipeline(env, system, storage, redis, systemLog);
  }

  get stitcher(): string {
    return this.system.urls.stitcher;
  }

  async admin<T>(pathname: string, init: RequestInit = {}): Promise<T> {
    const response = await fetch(`${this.stitcher}${pathname}`, {
      ...init,
      headers: { authorization: `Bearer ${PIPELINE_ADMIN_TOKEN}`, 'content-type': 'application/json', ...(init.headers ?? {}) },
    });
    const body = await response.text();
    if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${pathname}: ${response.status} ${body}`);
    return (body ? JSON.parse(body) : undefined) as T;
  }

  createStream(name: string, presets = PIPELINE_LADDER): Promise<CreatedStream> {
    return this.admin<CreatedStream>('/api/streams', { method: 'POST', body: JSON.stringify({ name, ladder: { presets } }) });
  }

  /** ffmpeg publishing the test pattern (640x360, 2 s GOP, audio) over RTMP, at real time. */
  publish(stream: CreatedStream, seconds: number, label = 'publisher'): ManagedProcess {
    return publishTestPattern(
      { output: `${this.system.urls.rtmp}/${stream.streamKey}`, seconds, width: 640, height: 360, gopSeconds: PUBLISH_GOP_SECONDS },
      label,
    );
  }

  /** Like publish(), but the encoder reconnects (as OBS does) whenever its connection breaks, until `seconds` have passed. */
  publishWithReconnects(stream: CreatedStream, seconds: number): Republisher {
    return publishWithReconnects(
      { output: `${this.system.urls.rtmp}/${stream.streamKey}`, seconds, width: 640, height: 360, gopSeconds: PUBLISH_GOP_SECONDS },
      'publisher',
    );
  }

  /** Polls the republished playlists every 300 ms, validating each version and downloading each new segment. */
  watch(stream: CreatedStream): SegmentCollector {
    // 2 s segments of a 2 s GOP: every version must declare a target duration of 2.
    const collector = new SegmentCollector(new PlaylistWatcher(this.stitcher, stream.playbackId, PUBLISH_GOP_SECONDS));
    collector.watcher.start(300);
    return collector;
  }

  async sessions(stream: CreatedStream): Promise<Array<{ id: string; state: string; startedAt: number }>> {
    const list = await this.admin<Array<{ id: string; state: string; startedAt: number }>>(
      `/api/sessions?streamId=${stream.id}&state=all&limit=50`,
    );
    return list.sort((a, b) => a.startedAt - b.startedAt);
  }

  timeline(sessionId: string): Promise<TimelineEntry[]> {
    return this.admin<TimelineEntry[]>(`/api/sessions/${sessionId}/segments?limit=1000`);
  }

  /** The newest source seq ingest has recorded for the stream's newest session (-1 before any). */
  async ingestedSeq(stream: CreatedStream): Promise<number> {
    const sessions = await this.sessions(stream);
    if (!sessions.length) return -1;
    const timeline = await this.timeline(sessions[sessions.length - 1].id);
    return timeline.length ? timeline[timeline.length - 1].seq : -1;
  }

  /** Broadcaster addresses livepeer-local lists, with their status (pid, push counts). */
  async broadcasters(): Promise<string[]> {
    const list = (await (await fetch(`${this.system.urls.livepeerApi}/broadcaster`)).json()) as Array<{ address: string }>;
    return list.map((b) => b.address);
  }

  async stop(): Promise<void> {
    await this.system.stop();
    await this.redis?.proc.stop();
    await this.env.cleanup();
  }
}

/** Keeps every segment the republished playlists list, downloaded as soon as it appears. */
export class SegmentCollector {
  readonly downloads = new Map<string, Promise<Buffer | null>>();

  constructor(readonly watcher: PlaylistWatcher) {
    watcher.onSegment = (rendition, msn, url) => {
      this.downloads.set(`${rendition}/${msn}`, fetchBytes(url));
    };
  }

  segment(rendition: string, msn: number): Promise<Buffer | null> | undefined {
    return this.downloads.get(`${rendition}/${msn}`);
  }

  async untilEnded(timeoutMs = 120_000): Promise<void> {
    await waitFor(() => this.watcher.ended(), { timeoutMs, what: '#EXT-X-ENDLIST on every rendition playlist' });
    await this.watcher.poll();
    this.watcher.stop();
  }
}

/**
 * Like a player's fragment loader, a failed download is tried again for a while (hls.js retries
 * a fragment for several seconds): a segment listed just before the stitcher restarted is
 * served again once it is back.
 */
const DOWNLOAD_PATIENCE_MS = 15_000;

async function fetchBytes(url: string): Promise<Buffer | null> {
  const giveUpAt = Date.now() + DOWNLOAD_PATIENCE_MS;
  do {
    try {
      const response = await fetch(url);
      if (response.ok) return Buffer.from(await response.arrayBuffer());
    } catch {
      // retried below
    }
    await new Promise((r) => setTimeout(r, 250));
  } while (Date.now() < giveUpAt);
  return null;
}
