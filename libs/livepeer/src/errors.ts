/**
 * Errors of the Livepeer client. `retryable` tells a caller whether trying again (later, or on
 * another broadcaster) can help: a rejected ladder cannot, a timeout or a 5xx can.
 */
export class LivepeerError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The API rejected the stream's settings (422 `{"errors":[...]}`): fix the ladder, do not retry. */
export class LivepeerConfigError extends LivepeerError {
  constructor(readonly errors: string[]) {
    super(`Livepeer rejected the stream: ${errors.join('; ')}`, false, 422);
  }
}

/** The stream or playlist does not exist (404). */
export class LivepeerNotFoundError extends LivepeerError {
  constructor(what: string) {
    super(`${what} not found`, false, 404);
  }
}

/** Network error, timeout, 5xx, unexpected status or an unreadable answer: worth another try. */
export class LivepeerRetryableError extends LivepeerError {
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super(message, true, status);
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

/**
 * A broadcaster answered a segment push with an error status (docs/livepeer-protocol.md §2.2). 400, 403, 405 and
 * 422 are about the request or the stream and are not retryable on the same broadcaster;
 * 500 and 503 are.
 */
export class BroadcasterPushError extends LivepeerError {
  constructor(
    readonly broadcasterUrl: string,
    status: number | undefined,
    readonly body: string,
    retryable = status === undefined || status >= 500,
  ) {
    super(
      `push to ${broadcasterUrl} failed${status !== undefined ? ` with ${status}` : ''}${body ? `: ${body.trim().slice(0, 300)}` : ''}`,
      retryable,
      status,
    );
  }
}
