/**
 * The medium tier's worker: the real worker app (AppModule: processor, runner, assignments,
 * uploader) in this process, against real Redis, database and S3 server, with small
 * in-process HTTP broadcasters and a Livepeer API whose faults a test sets per request.
 */
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { once } from 'node:events';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MetricsService } from '@lib/observability';
import type { TestEnv } from '@lib/testing';
import { UploadClock } from '../src/upload/upload-clock';

/** How a broadcaster answers a push. */
export type Fault = 'ok' | '503' | '404' | '422' | 'hang' | 'reset';

/** A broadcaster speaking just enough of the push protocol: PUT /live/{manifest}/{seq}.ts -> 200. */
export class StubBroadcaster {
  /** manifest/seq -> PUTs received (answered or not). */
  readonly received = new Map<string, number>();
  private faults: Fault[] = [];
  private steady: Fault = 'ok';
  private readonly hanging = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly address: string,
  ) {}

  static async start(): Promise<StubBroadcaster> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const broadcaster = new StubBroadcaster(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req, res) => broadcaster.answer(req, res));
    return broadcaster;
  }

  /** The next pushes answer with these faults, one each, then `steady` (default: as before). */
  fail(faults: Fault[], steady: Fault = this.steady): void {
    this.faults = [...faults];
    this.steady = steady;
  }

  pushes(manifest: string, seq: number): number {
    return this.received.get(`${manifest}/${seq}`) ?? 0;
  }

  private answer(req: IncomingMessage, res: ServerResponse): void {
    const match = /^\/live\/([^/]+)\/(\d+)\.ts$/.exec(req.url ?? '');
    if (req.method !== 'PUT' || !match) {
      res.writeHead(404).end();
      return;
    }
    const key = `${decodeURIComponent(match[1])}/${match[2]}`;
    this.received.set(key, (this.received.get(key) ?? 0) + 1);
    const fault = this.faults.shift() ?? this.steady;
    req.resume();
    req.on('end', () => {
      switch (fault) {
        case 'ok':
          res.writeHead(200, { 'content-type': 'text/plain' }).end();
          return;
        case '503':
          res.writeHead(503).end('No sessions available');
          return;
        case '404':
          res.writeHead(404).end('Stream not found');
          return;
        case '422':
          res.writeHead(422).end('Cannot probe codec');
          return;
        case 'hang':
          this.hanging.add(res);
          return;
        case 'reset':
          req.socket.destroy();
          return;
      }
    });
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

/** GET /api/broadcaster with a list a test can change. */
export class StubLivepeerApi {
  broadcasters: string[] = [];

  private constructor(
    private readonly server: Server,
    readonly apiUrl: string,
  ) {}

  static async start(): Promise<StubLivepeerApi> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const api = new StubLivepeerApi(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`);
    server.on('request', (req, res) => {
      if (req.url === '/api/broadcaster') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(api.broadcasters.map((address) => ({ address }))));
      } else {
        res.writeHead(404).end();
      }
    });
    return api;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

/** The upload job's clock, moved by the test (BullMQ and the HTTP client keep real time). */
export class TestClock extends UploadClock {
  private offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  reset(): void {
    this.offsetMs = 0;
  }
}

/**
 * The worker app in this process. Its settings come from process.env (as in a real start),
 * so they are set before the app module is first imported; one per test file.
 */
export class InProcessWorker {
  private constructor(
    readonly app: INestApplication,
    readonly clock: TestClock,
  ) {}

  static async start(env: TestEnv, api: StubLivepeerApi, extra: Record<string, string | number> = {}): Promise<InProcessWorker> {
    Object.assign(
      process.env,
      env.vars({ LOG_LEVEL: 'warn', LIVEPEER_API_URL: api.apiUrl, BROADCASTER_LIST_TTL_MS: 100, WORKER_RETRY_INTERVAL_MS: 20, ...extra }),
    );
    const { AppModule } = await import('../src/app.module');
    const clock = new TestClock();
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).overrideProvider(UploadClock).useValue(clock).compile();
    const app = moduleRef.createNestApplication({ logger: ['error'] });
    await app.init();
    return new InProcessWorker(app, clock);
  }

  get<T>(type: new (...args: never[]) => T): T {
    return this.app.get(type);
  }

  /** A counter's value (summed over label sets matching `labels`). */
  async metric(name: string, labels: Record<string, string> = {}): Promise<number> {
    // A histogram's _count and _sum are values of the histogram itself.
    const base = name.replace(/_(count|sum)$/, '');
    const registry = this.app.get(MetricsService).registry;
    const metric = await (registry.getSingleMetric(name) ?? registry.getSingleMetric(base))?.get();
    return (metric?.values ?? [])
      .filter((v) => ((v as { metricName?: string }).metricName ?? metric!.name) === name)
      .filter((v) => Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want))
      .reduce((sum, v) => sum + v.value, 0);
  }

  /** Nest's shutdown: the processor drains first, then the connections close. */
  async close(): Promise<void> {
    await this.app.close();
  }
}
