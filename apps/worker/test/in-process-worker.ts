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
/** `slow`: answers as `ok` does, after SLOW_ANSWER_MS (past the usual hedge delay, within a segment's duration). */
export type Fault = 'ok' | 'slow' | '503' | '400' | '404' | '422' | 'hang' | 'reset';
export const SLOW_ANSWER_MS = 900;

/** One part of a multipart push answer: a named or positional rendition, as bytes or as a URL. */
export interface StubPart {
  name?: string;
  body?: Buffer;
  uri?: string;
}

/** A multipart/mixed body as go-livepeer writes it (the parts' headers of its push answer). */
export function multipartBody(parts: StubPart[], boundary: string): Buffer {
  const chunks = parts.map((part, i) => {
    const headers = [
      `Content-Type: ${part.uri !== undefined ? 'application/vnd+livepeer.uri' : 'video/mp2t'}`,
      ...(part.name !== undefined ? [`Rendition-Name: ${part.name}`] : []),
    ];
    const body = part.uri !== undefined ? Buffer.from(part.uri) : (part.body ?? Buffer.alloc(0));
    return Buffer.concat([Buffer.from(`${i === 0 ? '' : '\r\n'}--${boundary}\r\n${headers.join('\r\n')}\r\n\r\n`, 'latin1'), body]);
  });
  return Buffer.concat([...chunks, Buffer.from(`${parts.length ? '\r\n' : ''}--${boundary}--\r\n`, 'latin1')]);
}

/** Serves GET /files/{name} from a map a test fills (renditions given as URLs). */
export class StubFileServer {
  readonly files = new Map<string, Buffer>();
  /** GETs received per file name. */
  readonly gets = new Map<string, number>();

  protected constructor(
    protected readonly server: Server,
    readonly address: string,
  ) {}

  static async start(): Promise<StubFileServer> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const host = new StubFileServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req, res) => host.serveFile(req, res) || res.writeHead(404).end());
    return host;
  }

  /** The URL of a file put in the map. */
  put(name: string, body: Buffer): string {
    this.files.set(name, body);
    return `${this.address}/files/${name}`;
  }

  /** Answers a GET of a stored file; false when the request is not one. */
  protected serveFile(req: IncomingMessage, res: ServerResponse): boolean {
    const match = /^\/files\/([^/]+)$/.exec(req.url ?? '');
    if (req.method !== 'GET' || !match) return false;
    this.gets.set(match[1], (this.gets.get(match[1]) ?? 0) + 1);
    const file = this.files.get(match[1]);
    if (file) res.writeHead(200, { 'content-type': 'video/mp2t' }).end(file);
    else res.writeHead(404).end();
    return true;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

/**
 * A broadcaster speaking just enough of the push protocol: PUT /live/{manifest}/{seq}.ts -> 200,
 * with the parts `parts` gives when the push asks for multipart/mixed (none set: a plain 200).
 * It also serves files (renditions it hands out as URLs).
 */
export class StubBroadcaster extends StubFileServer {
  /** manifest/seq -> PUTs received (answered or not). */
  readonly received = new Map<string, number>();
  /** Accept header of each push, in order. */
  readonly accepts: (string | undefined)[] = [];
  /** The parts of the answer to a multipart push of `seq`; unset: a plain 200. */
  parts?: (manifest: string, seq: number) => StubPart[] | Promise<StubPart[]>;
  /** What `GET /status` answers (the workers' active check of a failing broadcaster). */
  statusCode = 200;
  private faults: Fault[] = [];
  private steady: Fault = 'ok';
  private readonly hanging = new Set<ServerResponse>();

  static override async start(): Promise<StubBroadcaster> {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const broadcaster = new StubBroadcaster(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req, res) => broadcaster.serveFile(req, res) || broadcaster.answer(req, res));
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
    if (req.method === 'GET' && req.url === '/status') {
      res.writeHead(this.statusCode, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    const match = /^\/live\/([^/]+)\/(\d+)\.ts$/.exec(req.url ?? '');
    if (req.method !== 'PUT' || !match) {
      res.writeHead(404).end();
      return;
    }
    const key = `${decodeURIComponent(match[1])}/${match[2]}`;
    this.received.set(key, (this.received.get(key) ?? 0) + 1);
    this.accepts.push(req.headers.accept);
    const fault = this.faults.shift() ?? this.steady;
    req.resume();
    req.on('end', () => {
      switch (fault) {
        case 'ok':
          void this.answerOk(req, res, decodeURIComponent(match[1]), Number(match[2]));
          return;
        case 'slow':
          setTimeout(() => void this.answerOk(req, res, decodeURIComponent(match[1]), Number(match[2])), SLOW_ANSWER_MS);
          return;
        case '400':
          res.writeHead(400).end('Bad request: invalid Content-Duration');
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

  private async answerOk(req: IncomingMessage, res: ServerResponse, manifest: string, seq: number): Promise<void> {
    const parts = req.headers.accept === 'multipart/mixed' ? await this.parts?.(manifest, seq) : undefined;
    if (!parts) {
      res.writeHead(200, { 'content-type': 'text/plain' }).end();
      return;
    }
    const boundary = `stub${Date.now().toString(36)}`;
    res.writeHead(200, { 'content-type': `multipart/mixed; boundary=${boundary}` }).end(multipartBody(parts, boundary));
  }

  override async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    await super.close();
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
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
      .overrideProvider(UploadClock)
      .useValue(clock)
      .compile();
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
