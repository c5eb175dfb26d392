import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { repoRoot } from '@lib/runtime';

/** One request a test receiver got. */
export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  /** What the test recorded about the world when the request arrived (e.g. a database read). */
  snapshot?: unknown;
}

/**
 * A webhook receiver for tests: records every request; `answer` decides the status (200 unless
 * told otherwise), `snapshot` runs when a request arrives, before it is answered.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  answer: (n: number) => number = () => 200;
  snapshot?: (body: string) => Promise<unknown>;
  private constructor(private readonly server: http.Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = http.createServer();
    const receiver = new WebhookReceiver(server);
    server.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        void (async () => {
          const snapshot = await receiver.snapshot?.(body);
          receiver.received.push({ headers: req.headers, body, snapshot });
          res.writeHead(receiver.answer(receiver.received.length), { 'content-type': 'text/plain' }).end('thanks');
        })();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get hostPort(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get url(): string {
    return `http://${this.hostPort}/hook`;
  }

  events(): { id: string; type: string; [k: string]: unknown }[] {
    return this.received.map((r) => JSON.parse(r.body) as { id: string; type: string });
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The README's signature verification recipe, exactly as printed there (the js block after its marker). */
export function readmeVerifyWebhook(): (rawBody: string, header: string, secret: string, toleranceSec?: number) => boolean {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const marker = readme.indexOf('<!-- webhook-verification-recipe -->');
  if (marker < 0) throw new Error('README has no webhook verification recipe');
  const block = /```js\n([\s\S]*?)```/.exec(readme.slice(marker));
  if (!block) throw new Error('README recipe has no js block');
  return new Function('require', `${block[1]}\nreturn verifyWebhook;`)(require);
}
