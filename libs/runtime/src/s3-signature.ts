import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface S3Credentials {
  accessKey: string;
  secretKey: string;
}

export interface SignedRequest {
  method: string;
  /** The request target as sent: path and query string, still URI-encoded. */
  url: string;
  headers: IncomingHttpHeaders;
}

/** Why a request is refused, or undefined when it carries a valid signature of the credentials. */
export type SignatureVerdict = undefined | 'unsigned' | 'unsupported-signature' | 'unknown-access-key' | 'signature-mismatch';

const ALGORITHM = 'AWS4-HMAC-SHA256';

/** The parts of a Signature Version 4 a request carries, in its Authorization header or its query. */
interface V4Parts {
  accessKey: string;
  scope: string[]; // date, region, service, aws4_request
  signedHeaders: string[];
  signature: string;
  amzDate: string;
  payloadHash: string;
  /** Query parameters that take part in the canonical query (all but X-Amz-Signature). */
  query: Array<[string, string]>;
}

/**
 * Verifies an S3 request's AWS Signature Version 4 (Authorization header, or a
 * presigned URL's query) against one pair of credentials. The payload hash is the
 * one the client declares (x-amz-content-sha256), as S3 signs it; the body itself is
 * not re-hashed here. Anything else (no signature, Signature Version 2, another key,
 * a wrong signature) is refused.
 */
export function verifyS3Signature(request: SignedRequest, credentials: S3Credentials): SignatureVerdict {
  const parts = parseV4(request);
  if (parts === 'unsigned' || parts === 'unsupported-signature') return parts;
  if (parts.accessKey !== credentials.accessKey) return 'unknown-access-key';
  const [date, region, service] = parts.scope;
  const canonical = [
    request.method.toUpperCase(),
    canonicalPath(request.url),
    canonicalQuery(parts.query),
    parts.signedHeaders.map((name) => `${name}:${headerValue(request.headers[name])}\n`).join(''),
    parts.signedHeaders.join(';'),
    parts.payloadHash,
  ].join('\n');
  const stringToSign = [ALGORITHM, parts.amzDate, parts.scope.join('/'), sha256Hex(canonical)].join('\n');
  let key = hmac(`AWS4${credentials.secretKey}`, date);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  const expected = Buffer.from(createHmac('sha256', key).update(stringToSign).digest('hex'));
  const provided = Buffer.from(parts.signature);
  return expected.length === provided.length && timingSafeEqual(expected, provided) ? undefined : 'signature-mismatch';
}

function parseV4(request: SignedRequest): V4Parts | 'unsigned' | 'unsupported-signature' {
  const query = parseQuery(request.url);
  const authorization = request.headers.authorization;
  const queryValue = (name: string) => query.find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  if (authorization) {
    const match = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)$/.exec(
      authorization.trim(),
    );
    if (!match) return 'unsupported-signature';
    return credentialParts(match[1], match[2], match[3], {
      amzDate: headerValue(request.headers['x-amz-date']),
      payloadHash: headerValue(request.headers['x-amz-content-sha256']) || sha256Hex(''),
      query,
    });
  }
  if (queryValue('X-Amz-Algorithm') !== undefined) {
    const credential = queryValue('X-Amz-Credential');
    const signedHeaders = queryValue('X-Amz-SignedHeaders');
    const signature = queryValue('X-Amz-Signature');
    if (queryValue('X-Amz-Algorithm') !== ALGORITHM || !credential || !signedHeaders || !signature) return 'unsupported-signature';
    return credentialParts(credential, signedHeaders, signature, {
      amzDate: queryValue('X-Amz-Date') ?? '',
      payloadHash: 'UNSIGNED-PAYLOAD',
      query: query.filter(([k]) => k !== 'X-Amz-Signature'),
    });
  }
  if (queryValue('Signature') !== undefined) return 'unsupported-signature';
  return 'unsigned';
}

function credentialParts(
  credential: string,
  signedHeaders: string,
  signature: string,
  rest: Pick<V4Parts, 'amzDate' | 'payloadHash' | 'query'>,
): V4Parts | 'unsupported-signature' {
  const [accessKey, ...scope] = credential.split('/');
  if (scope.length !== 4 || scope[3] !== 'aws4_request' || !rest.amzDate) return 'unsupported-signature';
  return { accessKey, scope, signedHeaders: signedHeaders.toLowerCase().split(';'), signature, ...rest };
}

function parseQuery(url: string): Array<[string, string]> {
  const i = url.indexOf('?');
  if (i < 0) return [];
  return url
    .slice(i + 1)
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
      return eq < 0 ? [decode(pair), ''] : [decode(pair.slice(0, eq)), decode(pair.slice(eq + 1))];
    });
}

/** S3's canonical URI is the path exactly as the client encoded it (no double encoding). */
function canonicalPath(url: string): string {
  const i = url.indexOf('?');
  return (i < 0 ? url : url.slice(0, i)) || '/';
}

function canonicalQuery(query: Array<[string, string]>): string {
  return query
    .map(([k, v]) => [rfc3986(k), rfc3986(v)])
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function headerValue(value: string | string[] | undefined): string {
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return joined.trim().replace(/\s+/g, ' ');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function sha256Hex(data: string): string {
  return createHash('sha256').update(data).digest('hex');
}
