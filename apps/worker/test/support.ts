/**
 * What the worker's integration tests share: a livepeer-local network with fault
 * injection, worker processes, and a stand-in for ingest that does exactly what ingest
 * does per segment (object in the bucket, ledger row, job on the queue), so these tests do
 * not depend on the ingest app.
 */
import { Queue } from 'bullmq';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { DEV_LIVEPEER_API_KEY, databaseConfig, s3Config } from '@lib/config';
import { LedgerService, SegmentEntity, openDataSource } from '@lib/database';
import {
  SEGMENT_UPLOAD_QUEUE,
  UPLOAD_JOB_OPTIONS,
  UPLOAD_SEGMENT_JOB,
  bullConnection,
  uploadJobId,
  type UploadJobResult,
  type UploadSegmentPayload,
} from '@lib/queue';
import { CONTENT_TYPES, StorageService, objectKeys } from '@lib/storage';
import {
  TEST_REDIS_URL,
  TestEnv,
  broadcasterStatus,
  clearFaults,
  pushCounts,
  setFaults,
  spawnApp,
  startLivepeerLocal as startShared,
  waitFor,
  type RunningApp,
} from '@lib/testing';

export const SEGMENT_MS = 2000;
export const SEGMENT_RESOLUTION = '320x180';

/**
 * A real 2 s MPEG-TS segment (H.264 + AAC, 320x180), encoded once per machine and reused:
 * passthrough and copy modes only need valid bytes, not distinct pictures.
 */
export function fixtureSegment(): Buffer {
  const file = path.join(os.tmpdir(), 'livepeer-relay-worker-fixture-2s-320x180.ts');
  if (!existsSync(file)) {
    const partial = `${file}.${process.pid}.part`;
    execFileSync('ffmpeg', [
      '-nostdin',
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x180:rate=15:duration=2',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=44100:duration=2',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-threads',
      '1',
      '-pix_fmt',
      'yuv420p',
      '-g',
      '30',
      '-bf',
      '0',
      '-c:a',
      'aac',
      '-b:a',
      '48k',
      '-f',
      'mpegts',
      partial,
    ]);
    renameSync(partial, file);
  }
  return readFileSync(file);
}

export interface LivepeerNetwork {
  app: RunningApp;
  apiUrl: string;
  /** Broadcaster addresses (sorted) and the pid of each broadcaster process. */
  broadcasters: { address: string; pid: number }[];
}

/** livepeer-local (API + N broadcaster processes, passthrough), with each broadcaster's pid. */
export async function startLivepeerLocal(env: TestEnv, extra: Record<string, string | number> = {}): Promise<LivepeerNetwork> {
  const lp = await startShared(
    env.processEnv({ LIVEPEER_LOCAL_TRANSCODE_MODE: 'passthrough', LIVEPEER_LOCAL_HEALTH_INTERVAL_MS: 500, ...extra }),
  );
  const broadcasters = await Promise.all(
    lp.broadcasters.map(async (address) => ({ address, pid: (await broadcasterStatus(address)).pid })),
  );
  return { app: lp.app, apiUrl: lp.apiUrl, broadcasters };
}

export async function listBroadcasters(apiUrl: string): Promise<string[]> {
  const response = await fetch(`${apiUrl}/broadcaster`);
  return ((await response.json()) as { address: string }[]).map((b) => b.address);
}

/** POST /api/stream: the Livepeer stream id segments are pushed under. */
export async function createLivepeerStream(apiUrl: string, name: string): Promise<string> {
  const response = await fetch(`${apiUrl}/stream`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${DEV_LIVEPEER_API_KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, profiles: [{ name: '144p', width: 256, height: 144, bitrate: 400_000, fps: 30 }] }), // fps 30: both API dialects take it
  });
  if (response.status !== 201) throw new Error(`POST /api/stream answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

export { clearFaults, setFaults };

/** PUTs a broadcaster received for one manifest: seq -> count. */
export async function pushesAt(broadcaster: string, manifestId: string): Promise<Record<number, number>> {
  const counts = await pushCounts(broadcaster);
  return Object.fromEntries(Object.entries(counts.byManifest[manifestId] ?? {}).map(([seq, n]) => [Number(seq), n]));
}

/** seq -> PUTs received, summed over the broadcasters. */
export async function pushesPerSeq(broadcasters: string[], manifestId: string): Promise<Map<number, number>> {
  const total = new Map<number, number>();
  for (const b of broadcasters) {
    for (const [seq, n] of Object.entries(await pushesAt(b, manifestId))) total.set(Number(seq), (total.get(Number(seq)) ?? 0) + n);
  }
  return total;
}

/** A worker process on this test's Redis prefix, bucket and schema. */
export function startWorker(env: TestEnv, network: LivepeerNetwork, extra: Record<string, string | number> = {}, label = 'worker') {
  return spawnApp('worker', env.processEnv({ LIVEPEER_API_URL: network.apiUrl, BROADCASTER_LIST_TTL_MS: 500, ...extra }), { label });
}

/**
 * Ingest's side of the contract, segment by segment: the object in the bucket, the ledger
 * row, then the job (libs/queue segment-upload.ts), then `queued` in the ledger.
 */
export class FakeIngest {
  readonly queue: Queue<UploadSegmentPayload, UploadJobResult>;
  readonly storage: StorageService;
  readonly ledger: LedgerService;
  private readonly segment = fixtureSegment();

  private constructor(
    readonly env: TestEnv,
    readonly dataSource: DataSource,
  ) {
    this.queue = new Queue<UploadSegmentPayload, UploadJobResult>(SEGMENT_UPLOAD_QUEUE, {
      connection: bullConnection(TEST_REDIS_URL),
      prefix: env.id,
    });
    this.storage = new StorageService(s3Config.load(env.vars()));
    this.ledger = new LedgerService(dataSource.getRepository(SegmentEntity));
  }

  static async create(env: TestEnv): Promise<FakeIngest> {
    const dataSource = await openDataSource(databaseConfig.load(env.vars()), true);
    const ingest = new FakeIngest(env, dataSource);
    await ingest.storage.ensureBucket();
    return ingest;
  }

  payload(
    session: { sessionId: string; livepeerStreamId: string },
    seq: number,
    overrides: Partial<UploadSegmentPayload> = {},
  ): UploadSegmentPayload {
    return {
      sessionId: session.sessionId,
      streamId: session.sessionId,
      livepeerStreamId: session.livepeerStreamId,
      seq,
      objectKey: objectKeys.sourceSegment(session.sessionId, seq),
      durationMs: SEGMENT_MS,
      resolution: SEGMENT_RESOLUTION,
      bytes: this.segment.length,
      ingestedAt: Date.now(),
      ...overrides,
    };
  }

  /** One segment "cut" now: stored, recorded, enqueued. */
  async ingest(
    session: { sessionId: string; livepeerStreamId: string },
    seq: number,
    overrides: Partial<UploadSegmentPayload> = {},
  ): Promise<UploadSegmentPayload> {
    await this.store(session, seq);
    return this.enqueue(session, seq, overrides);
  }

  /** The segment's object in the bucket (ingest's first step). */
  async store(session: { sessionId: string }, seq: number): Promise<void> {
    await this.storage.put(objectKeys.sourceSegment(session.sessionId, seq), this.segment, CONTENT_TYPES.mpegts);
  }

  /** The ledger row and the upload job (ingest's next steps), for an object stored or not. */
  async enqueue(
    session: { sessionId: string; livepeerStreamId: string },
    seq: number,
    overrides: Partial<UploadSegmentPayload> = {},
  ): Promise<UploadSegmentPayload> {
    const payload = this.payload(session, seq, overrides);
    const { livepeerStreamId: _ignored, ...ledgerRow } = payload;
    await this.ledger.recordIngested(ledgerRow);
    await this.queue.add(UPLOAD_SEGMENT_JOB, payload, { ...UPLOAD_JOB_OPTIONS, jobId: uploadJobId(payload.sessionId, seq) });
    await this.ledger.markQueued(payload.sessionId, seq);
    return payload;
  }

  /**
   * A live stream at real-time cadence: one segment every SEGMENT_MS. `beforeSegment` runs
   * before segment `seq` is cut (to inject a fault at a chosen moment).
   */
  async stream(
    session: { sessionId: string; livepeerStreamId: string },
    segments: number,
    beforeSegment?: (seq: number) => Promise<void> | void,
  ): Promise<void> {
    const start = Date.now();
    for (let seq = 0; seq < segments; seq++) {
      const due = start + seq * SEGMENT_MS;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      await beforeSegment?.(seq);
      await this.ingest(session, seq);
    }
  }

  /** Waits until every segment of the session has an outcome in the ledger. */
  async settled(sessionId: string, segments: number, timeoutMs = 30_000): Promise<SegmentEntity[]> {
    return waitFor(
      async () => {
        const rows = await this.ledger.list(sessionId);
        return rows.length === segments && rows.every((r) => ['uploaded', 'dropped', 'republished'].includes(r.state)) && rows;
      },
      { timeoutMs, what: `${segments} settled segments of ${sessionId}` },
    );
  }

  /** The job of a segment once BullMQ finished it: completed (with its result) or failed. */
  async finishedJob(sessionId: string, seq: number, timeoutMs = 30_000) {
    return waitFor(
      async () => {
        const state = await this.queue.getJobState(uploadJobId(sessionId, seq));
        if (state !== 'completed' && state !== 'failed') return false;
        // Read after it finished, so its result and failure are there.
        const job = await this.queue.getJob(uploadJobId(sessionId, seq));
        return job && { job, state };
      },
      { timeoutMs, intervalMs: 20, what: `the job of ${sessionId}/${seq} to finish` },
    );
  }

  async close(): Promise<void> {
    await this.queue.close();
    await this.dataSource.destroy();
  }
}

/** A segment delivered within its live deadline (5 x duration after ingest). */
export function deliveredInTime(row: SegmentEntity): boolean {
  return row.state === 'uploaded' && row.uploadedAt! - row.ingestedAt <= 5 * SEGMENT_MS;
}

/**
 * What every worker integration test file sets up: its TestEnv, a livepeer-local network of
 * two passthrough broadcasters, ingest's stand-in, and a fresh Livepeer stream per case.
 */
export class WorkerTestBed {
  private constructor(
    readonly env: TestEnv,
    readonly network: LivepeerNetwork,
    readonly ingest: FakeIngest,
  ) {}

  /** `livepeerLocal`: extra livepeer-local settings (e.g. LIVEPEER_LOCAL_TRANSCODE_MODE: 'copy'). */
  static async create(name: string, livepeerLocal: Record<string, string | number> = {}): Promise<WorkerTestBed> {
    const env = await TestEnv.create({ name });
    const network = await startLivepeerLocal(env, { LIVEPEER_LOCAL_BROADCASTERS: 2, ...livepeerLocal });
    return new WorkerTestBed(env, network, await FakeIngest.create(env));
  }

  addresses(): string[] {
    return this.network.broadcasters.map((b) => b.address);
  }

  /** A session id and its own Livepeer stream. */
  async newSession(): Promise<{ sessionId: string; livepeerStreamId: string }> {
    const sessionId = randomUUID();
    return {
      sessionId,
      livepeerStreamId: await createLivepeerStream(this.network.apiUrl, `${this.env.options.name}-${sessionId.slice(0, 8)}`),
    };
  }

  /** Faults off on every broadcaster still running. */
  async clearFaults(): Promise<void> {
    await Promise.all(this.addresses().map((b) => clearFaults(b).catch(() => undefined)));
  }

  startWorker(extra: Record<string, string | number> = {}, label = 'worker'): Promise<RunningApp> {
    return startWorker(this.env, this.network, extra, label);
  }

  async close(): Promise<void> {
    await this.network?.app.proc.stop();
    await this.ingest?.close();
    await this.env?.cleanup();
  }
}

/** A counter or gauge value from a Prometheus text page (summed over label sets matching `labels`). */
export async function metricValue(workerUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${workerUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}
