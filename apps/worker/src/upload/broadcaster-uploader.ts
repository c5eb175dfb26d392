import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { PassThrough, type Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { InjectConfig, type ConfigOf, workerConfig } from '@lib/config';
import {
  MULTIPART_MIXED,
  PUSH_HEADERS,
  type PushedRendition,
  classifyRequestError,
  multipartBoundary,
  pushUrl,
  readRenditions,
} from '@lib/livepeer';
import type { PushFailure } from './delivery-decision';

export interface PushRequest {
  broadcaster: string;
  manifestId: string;
  seq: number;
  durationMs: number;
  resolution: string | null;
  /** The segment, streamed from the object store (not buffered). */
  body: Readable;
  /** Object size, sent as Content-Length; 0 = unknown (chunked). */
  bytes: number;
  /** End-to-end limit of this attempt (request sent -> answer read). */
  timeoutMs: number;
  /** Ends the push early (a hedged push whose twin answered first). */
  signal?: AbortSignal;
}

export interface PushTiming {
  /** Epoch ms the PUT started. */
  startedAt: number;
  /** PUT start -> the last body byte handed to the socket. */
  uploadMs: number;
  /** PUT start -> answer fully read (includes the broadcaster's transcoding). */
  roundTripMs: number;
}

export type PushOutcome =
  /** `renditions`: the parts of a multipart answer (possibly none); null when the answer was not multipart. */
  | ({ ok: true; renditions: PushedRendition[] | null } & PushTiming)
  | { ok: false; failure: PushFailure; startedAt: number; elapsedMs: number };

/** Error bodies are plain text (Go http.Error); a little is enough for logs and the ledger. */
const ERROR_BODY_LIMIT = 2000;

/**
 * PUTs segments to broadcasters (docs/livepeer-protocol.md §2.2) over kept-alive connections. Written here
 * rather than with @lib/livepeer's pushSegment because the worker streams the body from the
 * object store, needs its own connection pool (connect timeout, per-broadcaster cap) and has
 * to tell a broadcaster failure from a failure of its own source stream. Never throws:
 * every way a push can go wrong comes back as a PushFailure.
 */
@Injectable()
export class BroadcasterUploader implements OnApplicationShutdown {
  private readonly agent: Agent;
  private readonly multipart: boolean;

  constructor(@InjectConfig(workerConfig) config: ConfigOf<typeof workerConfig>) {
    this.multipart = config.multipart;
    this.agent = new Agent({
      connect: { timeout: config.connectTimeoutMs },
      connections: config.maxConnectionsPerBroadcaster,
      // Idle connections are kept for the next segment (2 s later); the server's own
      // Keep-Alive hint wins when it is shorter.
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 60_000,
    });
  }

  async push(req: PushRequest): Promise<PushOutcome> {
    const startedAtEpoch = Date.now();
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);

    // The body goes through a PassThrough so that its end (upload time) and a failure of
    // the source itself (not the broadcaster's fault) are both observable.
    const body = new PassThrough();
    let sourceError: Error | undefined;
    let bodySentMs: number | undefined;
    req.body.once('error', (err) => {
      sourceError = err;
      body.destroy(err);
    });
    body.once('end', () => (bodySentMs = elapsed()));
    req.body.pipe(body);

    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, req.timeoutMs);
    req.signal?.addEventListener('abort', () => controller.abort(), { once: true });

    const headers: Record<string, string> = {
      'content-type': 'video/mp2t',
      [PUSH_HEADERS.duration]: String(Math.round(req.durationMs)),
    };
    if (req.resolution) headers[PUSH_HEADERS.resolution] = req.resolution;
    if (req.bytes > 0) headers['content-length'] = String(req.bytes);
    if (this.multipart) headers.accept = MULTIPART_MIXED;

    const fail = (failure: PushFailure): PushOutcome => ({ ok: false, failure, startedAt: startedAtEpoch, elapsedMs: elapsed() });
    try {
      const response = await request(pushUrl(req.broadcaster, req.manifestId, req.seq), {
        method: 'PUT',
        headers,
        body,
        dispatcher: this.agent,
        signal: controller.signal,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
      });
      if (response.statusCode !== 200) {
        const text = await readLimited(response.body, ERROR_BODY_LIMIT);
        return fail({ kind: 'status', status: response.statusCode, body: text });
      }
      let renditions: PushedRendition[] | null = null;
      const contentType = response.headers['content-type'] as string | undefined;
      // A broadcaster that ignores the Accept header (or was not asked) answers a plain 200:
      // delivered, and the renditions come from its playlists.
      if (this.multipart && /^\s*multipart\//i.test(contentType ?? '')) {
        const boundary = multipartBoundary(contentType);
        if (!boundary) return fail({ kind: 'protocol', message: 'multipart answer without a boundary' });
        const answer = Buffer.from(await response.body.arrayBuffer());
        try {
          renditions = readRenditions(answer, boundary);
        } catch (err) {
          return fail({ kind: 'protocol', message: `unreadable multipart answer: ${(err as Error).message}` });
        }
      } else {
        await response.body.dump({ limit: Number.MAX_SAFE_INTEGER });
      }
      const roundTripMs = elapsed();
      return { ok: true, renditions, startedAt: startedAtEpoch, uploadMs: bodySentMs ?? roundTripMs, roundTripMs };
    } catch (err) {
      return fail(this.classify(err, { timedOut, sourceError, timeoutMs: req.timeoutMs }));
    } finally {
      clearTimeout(timer);
      // An aborted or refused request leaves the object-store stream half read: release it.
      if (!req.body.readableEnded) req.body.destroy();
      if (!body.destroyed && !body.readableEnded) body.destroy();
    }
  }

  /** Our own side first (the source stream, its size), then the shared HTTP classifier. */
  private classify(err: unknown, ctx: { timedOut: boolean; sourceError?: Error; timeoutMs: number }): PushFailure {
    if (ctx.sourceError) return { kind: 'source', message: ctx.sourceError.message, missing: false };
    if ((err as { code?: string })?.code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH') {
      // The object's size is not what ingest recorded: our data, not the broadcaster.
      return { kind: 'source', message: 'object size differs from the recorded size', missing: false };
    }
    return classifyRequestError(err, { timeoutMs: ctx.timeoutMs, timedOut: ctx.timedOut });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent.close().catch(() => undefined);
  }
}

/** Reads at most `limit` bytes of a body as text, then drops the rest. */
async function readLimited(body: AsyncIterable<Buffer> & { destroy?: () => void }, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      if (size < limit) chunks.push(chunk.subarray(0, limit - size));
      size += chunk.length;
    }
  } catch {
    // A body cut short still says something: keep what arrived.
  }
  return Buffer.concat(chunks).toString('utf8');
}
