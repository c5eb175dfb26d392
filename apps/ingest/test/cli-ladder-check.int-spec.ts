import { freePort } from '@lib/runtime';
import { TestEnv } from '@lib/testing';
import { IngestStack, cli, startIngestStack } from './ingest-harness';

/**
 * A ladder is checked by the configured Livepeer API when it is set (create, update-ladder): an
 * older API (livepeer-local legacy) refuses what the relay's own rules allow, and its reason
 * reaches the CLI user at once, not a publisher later. An unreachable API is said out loud.
 */
describe('CLI: the Livepeer API checks a ladder when it is set', () => {
  let env: TestEnv;
  let stack: IngestStack;

  beforeAll(async () => {
    env = await TestEnv.create({ name: 'cli-ladder-check' });
    stack = await startIngestStack(env, {}, { LIVEPEER_LOCAL_DIALECT: 'legacy' });
  });

  afterAll(async () => {
    await stack?.close();
    await env?.cleanup();
  });

  const fps0 = JSON.stringify([{ name: 'keep', width: 640, height: 360, bitrate: 800_000, fps: 0 }]);

  it('refuses at creation, with the API reason, a ladder the relay allows and that API does not', async () => {
    const result = await cli(stack.vars, 'streams', 'create', '--name', 'older', '--profiles', fps0, '--json');
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `error: the Livepeer API at ${stack.vars.LIVEPEER_API_URL} refused the ladder:\n  - profiles[0].fps must be >= 1\n`,
    );
    const list = await cli(stack.vars, 'streams', 'list', '--json');
    expect(JSON.parse(list.stdout).map((s: { name: string }) => s.name)).not.toContain('older');
  });

  it('accepts what the API accepts, and checks a ladder change the same way', async () => {
    const created = await cli(stack.vars, 'streams', 'create', '--name', 'fine', '--presets', 'P240p30fps16x9', '--json');
    expect(created.code).toBe(0);
    const stream = JSON.parse(created.stdout);
    expect(stream.ladderCheck).toEqual({ result: 'accepted' });
    // A 25 fps preset is sent as its profile (the older API knows no such preset name, but takes fps 25).
    const preset25 = await cli(stack.vars, 'streams', 'update-ladder', stream.id, '--presets', 'P360p25fps16x9', '--json');
    expect(preset25.code).toBe(0);
    expect(JSON.parse(preset25.stdout).ladderCheck).toEqual({ result: 'accepted' });
    const change = await cli(stack.vars, 'streams', 'update-ladder', stream.id, '--profiles', fps0, '--json');
    expect(change.code).toBe(2);
    expect(change.stderr).toContain('refused the ladder:\n  - profiles[0].fps must be >= 1\n');
    const kept = JSON.parse((await cli(stack.vars, 'streams', 'get', stream.id, '--json')).stdout);
    expect(kept.ladder).toEqual({ presets: ['P360p25fps16x9'] });
  });

  it('with the API unreachable: accepts with a warning on stderr (default), or refuses (LADDER_CHECK=strict)', async () => {
    const away = { ...stack.vars, LIVEPEER_API_URL: `http://127.0.0.1:${await freePort()}/api` };
    const warned = await cli(away, 'streams', 'create', '--name', 'unchecked', '--profiles', fps0, '--json');
    expect(warned.code).toBe(0);
    expect(JSON.parse(warned.stdout).ladderCheck.result).toBe('unchecked');
    expect(warned.stderr).toMatch(
      /^warning: the Livepeer API at http:\/\/127\.0\.0\.1:\d+\/api could not check the ladder \(.*ECONNREFUSED.*\); accepted unchecked/,
    );
    const strict = await cli({ ...away, LADDER_CHECK: 'strict' }, 'streams', 'create', '--name', 'strict', '--json');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toBe('');
    expect(strict.stderr).toMatch(/could not check the ladder .*; refused \(LADDER_CHECK=strict\)\n$/);
  });
});
