import { lifecycleEventSchema } from '@lib/queue';
import { WebhookReceiver, readmeVerifyWebhook, waitFor } from '@lib/testing';
import { Pipeline } from './support/pipeline';

/**
 * A live RTMP publish through the whole system produces `stream.started` and then, once the
 * publisher stops and the end grace passes, `stream.idle` on a test receiver: in that order,
 * each once, signed as the README verifies.
 */
describe('lifecycle webhooks end to end', () => {
  let pipeline: Pipeline;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    receiver = await WebhookReceiver.start();
    pipeline = await Pipeline.start({
      name: 'e2e-webhooks',
      transcodeMode: 'copy',
      extraEnv: { WEBHOOK_ALLOWED_HOSTS: receiver.hostPort, STITCHER_END_GRACE_MS: 2000 },
    });
  });
  afterAll(async () => {
    await pipeline?.stop();
    await receiver?.close();
  });

  it('sends stream.started then stream.idle for a publish', async () => {
    const { secret } = await pipeline.admin<{ secret: string }>('/api/webhooks', {
      method: 'POST',
      body: JSON.stringify({ url: receiver.url, events: ['stream.started', 'stream.idle'] }),
    });
    const stream = await pipeline.createStream('hooked');
    const publisher = pipeline.publish(stream, 10);
    await waitFor(() => receiver.events().some((e) => e.type === 'stream.started'), { timeoutMs: 60_000, what: 'stream.started' });
    expect(receiver.events().map((e) => e.type)).toEqual(['stream.started']);
    await publisher.exited;
    await waitFor(() => receiver.events().some((e) => e.type === 'stream.idle'), { timeoutMs: 60_000, what: 'stream.idle' });

    const events = receiver.events().map((e) => lifecycleEventSchema.parse(e));
    expect(events.map((e) => e.type)).toEqual(['stream.started', 'stream.idle']);
    const [session] = await pipeline.sessions(stream);
    for (const event of events) expect(event).toMatchObject({ streamId: stream.id, sessionId: session.id });
    const verify = readmeVerifyWebhook();
    for (const r of receiver.received) expect(verify(r.body, String(r.headers['livepeer-signature']), secret)).toBe(true);
  });
});
