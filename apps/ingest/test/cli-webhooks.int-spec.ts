import { TestEnv } from '@lib/testing';
import { cli } from './ingest-harness';

/** `npm run cli -- webhooks ...` and `streams update|delete` (the built CLI) against a real database, Redis and S3. */
describe('webhooks CLI and stream update/delete', () => {
  let env: TestEnv;
  let vars: NodeJS.ProcessEnv;

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'webhooks-cli' });
    vars = env.processEnv({});
  });

  afterAll(async () => {
    await env?.cleanup();
  });

  it('creates an endpoint showing its secret once, lists, updates, rotates and deletes it', async () => {
    const created = await cli(
      vars,
      'webhooks',
      'create',
      '--url',
      'https://hooks.example.com/relay',
      '--events',
      'stream.started,stream.idle',
      '--json',
    );
    expect(created.code).toBe(0);
    const endpoint = JSON.parse(created.stdout);
    expect(endpoint).toMatchObject({
      url: 'https://hooks.example.com/relay',
      events: ['stream.started', 'stream.idle'],
      name: 'hooks.example.com',
    });
    expect(endpoint.secret).toMatch(/^whsec_/);
    const listed = await cli(vars, 'webhooks', 'list', '--json');
    expect(listed.stdout).not.toContain(endpoint.secret);
    expect(JSON.parse(listed.stdout)).toHaveLength(1);

    const updated = JSON.parse(
      (await cli(vars, 'webhooks', 'update', endpoint.id, '--enabled', 'false', '--events', 'stream.idle', '--json')).stdout,
    );
    expect(updated).toMatchObject({ enabled: false, events: ['stream.idle'] });
    const rotated = JSON.parse((await cli(vars, 'webhooks', 'rotate-secret', endpoint.id, '--json')).stdout);
    expect(rotated.secret).not.toBe(endpoint.secret);
    expect((await cli(vars, 'webhooks', 'delete', endpoint.id)).code).toBe(0);
    expect((await cli(vars, 'webhooks', 'get', endpoint.id)).code).toBe(1);
  });

  it('refuses bad endpoints with exit code 2 and creates nothing', async () => {
    const scheme = await cli(vars, 'webhooks', 'create', '--url', 'ftp://x.example/', '--events', 'stream.started');
    expect(scheme.code).toBe(2);
    expect(scheme.stderr).toContain('scheme must be http or https');
    const events = await cli(vars, 'webhooks', 'create', '--url', 'https://x.example/', '--events', 'stream.exploded');
    expect(events.code).toBe(2);
    expect(events.stderr).toContain('unknown event types: stream.exploded');
    expect(JSON.parse((await cli(vars, 'webhooks', 'list', '--json')).stdout)).toHaveLength(0);
  });

  it('updates a stream name and enabled flag and deletes it', async () => {
    const stream = JSON.parse((await cli(vars, 'streams', 'create', '--name', 'cli stream', '--json')).stdout);
    const updated = JSON.parse(
      (await cli(vars, 'streams', 'update', stream.id, '--name', 'renamed', '--enabled', 'false', '--json')).stdout,
    );
    expect(updated).toMatchObject({ name: 'renamed', enabled: false });
    expect((await cli(vars, 'streams', 'update', stream.id, '--enabled', 'maybe')).code).toBe(2);
    const deleted = JSON.parse((await cli(vars, 'streams', 'delete', stream.id, '--json')).stdout);
    expect(deleted).toEqual({ id: stream.id, sessions: 0, objects: 0, endedLivePublish: false });
    expect((await cli(vars, 'streams', 'get', stream.id)).code).toBe(1);
  });
});
