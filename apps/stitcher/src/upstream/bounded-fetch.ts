import { classifyRequestError, describeHttpFailure } from '@lib/livepeer';

/**
 * GET with a time limit and a size limit, for answers from hosts the relay does not control
 * (upstream playlists, broadcaster segments). A body longer than the limit, or one that never
 * ends, is abandoned instead of filling memory; redirects are refused so an answer cannot
 * send the relay to a host it would not fetch from directly.
 */
export class UpstreamFetchError extends Error {
  override readonly name = 'UpstreamFetchError';
  constructor(
    message: string,
    readonly status?: number,
    /**
     * The host could not be reached or does not have it (network failure, time-out, 404): a
     * broadcaster that died or lost the session. Retrying there is no use; pushing the segment
     * again to the session's current broadcaster is.
     */
    readonly unreachable = false,
  ) {
    super(message);
  }
}

export interface BoundedFetchOptions {
  timeoutMs: number;
  maxBytes: number;
}

export async function boundedGet(url: string, options: BoundedFetchOptions): Promise<Buffer> {
  let response: Response;
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    response = await fetch(url, { signal, redirect: 'manual' });
  } catch (err) {
    throw new UpstreamFetchError(`GET ${url} ${describeHttpFailure(failureOf(err))}`, undefined, true);
  }
  if (response.status !== 200) {
    await response.body?.cancel().catch(() => undefined);
    const redirect = response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : '';
    throw new UpstreamFetchError(`GET ${url} answered ${response.status}${redirect}`, response.status, response.status === 404);
  }
  const declared = Number(response.headers.get('content-length') ?? NaN);
  if (declared > options.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new UpstreamFetchError(`GET ${url}: ${declared} bytes is over the ${options.maxBytes} byte limit`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body!.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > options.maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw new UpstreamFetchError(`GET ${url}: body over the ${options.maxBytes} byte limit`);
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof UpstreamFetchError) throw err;
    const failure = failureOf(err);
    throw new UpstreamFetchError(
      `GET ${url}: body ${failure.kind === 'timeout' ? `not complete after ${options.timeoutMs} ms` : `failed: ${(err as Error).message}`}`,
    );
  }
  return Buffer.concat(chunks, total);

  /** The only signal is the time limit, so any abort is that limit passing. */
  function failureOf(err: unknown) {
    return classifyRequestError(err, { timeoutMs: options.timeoutMs, timedOut: signal.aborted });
  }
}
