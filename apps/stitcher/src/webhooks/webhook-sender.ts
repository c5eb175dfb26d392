import { isIP } from 'node:net';
import { Agent, request } from 'undici';
import { AddressPolicy, RefusedHostError, isPrivateAddress } from '@lib/webhooks';

/** How much of an answer the delivery log keeps. */
export const SNIPPET_BYTES = 1024;

export interface SendResult {
  status: number;
  latencyMs: number;
  snippet: string;
}

export interface SenderSettings {
  allowedHosts: string[];
  timeoutMs: number;
  maxResponseBytes: number;
}

/**
 * One HTTP POST to a receiver, bounded: connect, headers and body within `timeoutMs` in all, at
 * most `maxResponseBytes` read (then the socket is dropped), no redirects, and only to hosts and
 * addresses the AddressPolicy allows (checked on the address connected to). Throws
 * RefusedHostError before anything is sent to a refused host.
 */
export class WebhookSender {
  private readonly policy: AddressPolicy;
  /** One pool for hosts whose private addresses are allowed, one for the rest (their lookups differ). */
  private readonly agents: Record<'private' | 'public', Agent>;

  constructor(private readonly settings: SenderSettings) {
    this.policy = new AddressPolicy(settings.allowedHosts);
    const agent = (privateAllowed: boolean) =>
      new Agent({
        connect: { timeout: settings.timeoutMs, lookup: this.policy.lookup(privateAllowed) as never },
        headersTimeout: settings.timeoutMs,
        bodyTimeout: settings.timeoutMs,
        keepAliveTimeout: 4000,
      });
    this.agents = { private: agent(true), public: agent(false) };
  }

  async send(target: string, body: string, headers: Record<string, string>): Promise<SendResult> {
    const url = new URL(target);
    const { privateAllowed } = this.policy.checkHost(url);
    // A literal address is connected to without a lookup: check it here.
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    if (!privateAllowed && isIP(literal) && isPrivateAddress(literal))
      throw new RefusedHostError(`${literal} is a loopback/private address`);
    const started = performance.now();
    const signal = AbortSignal.timeout(this.settings.timeoutMs);
    const response = await request(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'user-agent': 'livepeer-relay-webhooks/1', ...headers },
      dispatcher: privateAllowed ? this.agents.private : this.agents.public,
      signal,
    });
    const kept: Buffer[] = [];
    let read = 0;
    try {
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        if (read < SNIPPET_BYTES) kept.push(chunk.subarray(0, SNIPPET_BYTES - read));
        read += chunk.length;
        if (read >= this.settings.maxResponseBytes) break; // the rest is not read: the status is what counts
      }
    } catch {
      // A body cut short (timeout, reset) after the status arrived: the status still counts.
    } finally {
      response.body.destroy();
    }
    return {
      status: response.statusCode,
      latencyMs: Math.round(performance.now() - started),
      snippet: Buffer.concat(kept).toString('utf8'),
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.agents.private.close(), this.agents.public.close()]);
  }
}
