import { Injectable } from '@nestjs/common';
import { request } from 'undici';
import { InjectConfig, type ConfigOf, workerConfig } from '@lib/config';
import { classifyRequestError, describeHttpFailure, hostKey, hostKeyOf } from '@lib/livepeer';
import { BroadcasterDirectory } from '../broadcasters/broadcaster-directory';

/** A rendition of a few seconds is a few MB even at 1080p; anything far larger is not one. */
export const RENDITION_MAX_BYTES = 64 * 1024 * 1024;

/** Why a rendition URL was not fetched (the part then counts as failed). */
export class RenditionFetchError extends Error {
  override readonly name = 'RenditionFetchError';
}

/**
 * Downloads a rendition a push answer gives as a URL (`application/vnd+livepeer.uri` part)
 * instead of bytes. The URL comes from a broadcaster, so it is fetched only from a host the
 * relay trusts (the broadcasters GET /api/broadcaster lists, the pinned one, and
 * WORKER_ALLOWED_RENDITION_HOSTS), with a time and a size limit and no redirects, in the way
 * the stitcher fetches upstream segments (docs/architecture.md, stitcher).
 */
@Injectable()
export class RenditionFetcher {
  private readonly fixed: ReadonlySet<string>;

  constructor(
    @InjectConfig(workerConfig) config: ConfigOf<typeof workerConfig>,
    private readonly directory: BroadcasterDirectory,
  ) {
    this.fixed = new Set(config.allowedRenditionHosts.map(hostKeyOf).filter((h): h is string => h !== undefined));
  }

  /** Whether `uri` is an http(s) URL on an allowed host. */
  async allows(uri: string): Promise<boolean> {
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      return false;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
    const host = hostKey(url);
    if (this.fixed.has(host)) return true;
    return (await this.directory.list()).some((address) => hostKeyOf(address) === host);
  }

  /** The rendition's bytes; throws RenditionFetchError for a refused host, a failed or oversized answer. */
  async fetch(uri: string, timeoutMs: number): Promise<Buffer> {
    if (!(await this.allows(uri))) throw new RenditionFetchError(`${uri} is not on an allowed host`);
    const signal = AbortSignal.timeout(Math.max(1, timeoutMs));
    try {
      const response = await request(uri, { method: 'GET', signal, maxRedirections: 0 });
      if (response.statusCode !== 200) {
        await response.body.dump().catch(() => undefined);
        throw new RenditionFetchError(`GET ${uri} answered ${response.statusCode}`);
      }
      if (Number(response.headers['content-length'] ?? 0) > RENDITION_MAX_BYTES) {
        response.body.destroy();
        throw new RenditionFetchError(`GET ${uri}: over the ${RENDITION_MAX_BYTES} byte limit`);
      }
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const chunk of response.body) {
        total += (chunk as Buffer).length;
        if (total > RENDITION_MAX_BYTES) {
          response.body.destroy();
          throw new RenditionFetchError(`GET ${uri}: body over the ${RENDITION_MAX_BYTES} byte limit`);
        }
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks, total);
    } catch (err) {
      if (err instanceof RenditionFetchError) throw err;
      throw new RenditionFetchError(
        `GET ${uri} ${describeHttpFailure(classifyRequestError(err, { timeoutMs, timedOut: signal.aborted }))}`,
      );
    }
  }
}
