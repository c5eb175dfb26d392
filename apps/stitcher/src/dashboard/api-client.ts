/** The admin API over fetch, with the bearer token of the signed-in operator. */

/** A non-2xx answer; `body` carries the API's `errors` for a 400. */
export class ApiRequestError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly body: { message?: string; errors?: Record<string, string[]> } | null,
  ) {
    super(message);
    this.name = 'ApiRequestError';
  }
}

/** The token was refused; the client has already called its `onUnauthorised`. */
export class UnauthorisedError extends Error {
  constructor() {
    super('unauthorised');
    this.name = 'UnauthorisedError';
  }
}

export class ApiClient {
  token = '';

  constructor(private readonly onUnauthorised: () => void) {}

  async request<T>(path: string, init: RequestInit = {}): Promise<T> {
    const response = await fetch(path, {
      ...init,
      headers: { Authorization: `Bearer ${this.token}`, 'Content-Type': 'application/json', ...init.headers },
    });
    if (response.status === 401) {
      this.onUnauthorised();
      throw new UnauthorisedError();
    }
    const body = response.status === 204 ? null : await response.json().catch(() => null);
    if (!response.ok) throw new ApiRequestError(body?.message ?? `HTTP ${response.status}`, response.status, body);
    return body as T;
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>(path, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) });
  }
}
