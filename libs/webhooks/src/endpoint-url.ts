/** Longest endpoint URL accepted. */
export const MAX_ENDPOINT_URL_LENGTH = 2048;

export class InvalidEndpointError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidEndpointError';
  }
}

/**
 * What an endpoint URL must look like: http or https, a host, at most 2048 characters, no
 * user:password (it would be logged and shown). Which hosts and addresses may be reached is
 * decided at delivery time (address-policy.ts), against the resolved address and the current
 * WEBHOOK_ALLOWED_HOSTS, so a narrowed list also holds for endpoints created before.
 */
export function checkEndpointUrl(value: string): string {
  if (value.length > MAX_ENDPOINT_URL_LENGTH)
    throw new InvalidEndpointError('url', `must be at most ${MAX_ENDPOINT_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidEndpointError('url', 'must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidEndpointError('url', 'scheme must be http or https');
  if (!url.hostname) throw new InvalidEndpointError('url', 'must name a host');
  if (url.username || url.password) throw new InvalidEndpointError('url', 'must not carry a user name or password');
  return url.toString();
}

/** `host:port` of a URL as WEBHOOK_ALLOWED_HOSTS lists it (lower case, default port spelled out). */
export function hostPortOf(url: URL): { host: string; hostPort: string } {
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return { host, hostPort: `${host}:${port}` };
}
