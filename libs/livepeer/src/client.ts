import { LivepeerConfigError, LivepeerNotFoundError, LivepeerRetryableError } from './errors';
import { fetchOrRetryable, joinUrl, safeText } from './http';
import type { BroadcasterInfo, CreateStreamRequest, LivepeerStream } from './types';

export interface LivepeerApiClientOptions {
  /** API base, e.g. `http://127.0.0.1:3004/api`; every call is relative to it. */
  apiUrl: string;
  apiKey: string;
  /** Sent as `X-Livepeer-Region` to `GET /broadcaster` so that region's broadcasters come first. */
  region?: string;
  /** Per-request timeout (ms). */
  timeoutMs?: number;
  userAgent?: string;
}

export const REGION_HEADER = 'X-Livepeer-Region';

/**
 * Typed client of the Livepeer API (docs/livepeer-protocol.md §2.1): the calls LivepeerWowza made, plus
 * get/delete. Errors: LivepeerConfigError (422: the ladder is wrong), LivepeerNotFoundError
 * (404 where it means "no such stream/playlist"), LivepeerRetryableError (anything else).
 */
export class LivepeerApiClient {
  private readonly timeoutMs: number;

  constructor(private readonly options: LivepeerApiClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  get apiUrl(): string {
    return this.options.apiUrl;
  }

  /** `POST /stream`; 201 expected. */
  async createStream(request: CreateStreamRequest, signal?: AbortSignal): Promise<LivepeerStream> {
    const response = await this.call('POST', '/stream', { body: request, auth: true, signal });
    if (response.status === 201) return this.json<LivepeerStream>(response, 'POST /stream');
    if (response.status === 422) throw new LivepeerConfigError(await this.errorsOf(response));
    throw await this.unexpected(response, 'POST /stream');
  }

  async getStream(id: string, signal?: AbortSignal): Promise<LivepeerStream> {
    const response = await this.call('GET', `/stream/${encodeURIComponent(id)}`, { auth: true, signal });
    if (response.status === 200) return this.json<LivepeerStream>(response, 'GET /stream/:id');
    if (response.status === 404) throw new LivepeerNotFoundError(`stream ${id}`);
    throw await this.unexpected(response, 'GET /stream/:id');
  }

  /**
   * `DELETE /stream/:id`; 204 expected. A delete is idempotent: 404 means the stream is already
   * gone (older APIs answer 404 for streams they keep no record of once idle), which is no error:
   * resolves `'deleted'` or `'already-gone'`.
   */
  async deleteStream(id: string, signal?: AbortSignal): Promise<'deleted' | 'already-gone'> {
    const response = await this.call('DELETE', `/stream/${encodeURIComponent(id)}`, { auth: true, signal });
    if (response.status === 204 || response.status === 200 || response.status === 404) {
      await safeText(response);
      return response.status === 404 ? 'already-gone' : 'deleted';
    }
    throw await this.unexpected(response, 'DELETE /stream/:id');
  }

  /** `GET /broadcaster` (no auth, as LivepeerWowza called it). */
  async listBroadcasters(signal?: AbortSignal): Promise<BroadcasterInfo[]> {
    const headers: Record<string, string> = {};
    if (this.options.region) headers[REGION_HEADER] = this.options.region;
    const response = await this.call('GET', '/broadcaster', { headers, signal });
    if (response.status !== 200) throw await this.unexpected(response, 'GET /broadcaster');
    const list = await this.json<unknown>(response, 'GET /broadcaster');
    if (!Array.isArray(list) || list.some((b) => typeof b?.address !== 'string')) {
      throw new LivepeerRetryableError('GET /broadcaster did not answer [{"address": ...}]');
    }
    return list.map((b: BroadcasterInfo) => ({ address: b.address }));
  }

  /** Any playlist by absolute URL (amalgamated `/stream/...` or a broadcaster's own). */
  async fetchPlaylist(url: string, signal?: AbortSignal): Promise<string> {
    const response = await fetchOrRetryable(url, { signal }, this.timeoutMs);
    if (response.status === 200) return response.text();
    await safeText(response);
    if (response.status === 404) throw new LivepeerNotFoundError(`playlist ${url}`);
    throw new LivepeerRetryableError(`GET ${url} answered ${response.status}`, response.status);
  }

  private call(
    method: string,
    path: string,
    opts: { body?: unknown; auth?: boolean; headers?: Record<string, string>; signal?: AbortSignal },
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
    if (this.options.userAgent) headers['User-Agent'] = this.options.userAgent;
    if (opts.auth) headers.Authorization = `Bearer ${this.options.apiKey}`;
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    return fetchOrRetryable(
      joinUrl(this.options.apiUrl, path),
      {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: opts.signal,
      },
      this.timeoutMs,
    );
  }

  private async json<T>(response: Response, what: string): Promise<T> {
    const text = await safeText(response);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new LivepeerRetryableError(`${what} answered ${response.status} with a body that is not JSON`, response.status);
    }
  }

  /** The `errors` array of a Livepeer error body, or the raw body as one error. */
  private async errorsOf(response: Response): Promise<string[]> {
    const text = await safeText(response);
    try {
      const parsed = JSON.parse(text) as { errors?: unknown };
      if (Array.isArray(parsed.errors)) return parsed.errors.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)));
    } catch {
      /* not JSON: fall through */
    }
    return [text || `HTTP ${response.status}`];
  }

  private async unexpected(response: Response, what: string): Promise<LivepeerRetryableError> {
    const errors = await this.errorsOf(response);
    return new LivepeerRetryableError(`${what} answered ${response.status}: ${errors.join('; ')}`, response.status);
  }
}
