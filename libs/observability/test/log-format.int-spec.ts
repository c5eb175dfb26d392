import { ManagedProcess, distEntry } from '@lib/runtime';

/**
 * A real app process (a livepeer-local broadcaster: no Redis, S3 or database needed)
 * under each LOG_FORMAT. Its stdout is a pipe, as under `npm start` or a log collector.
 */
function broadcaster(env: Record<string, string>) {
  const { LOG_FORMAT: _format, LOG_PRETTY: _pretty, ...base } = process.env;
  return new ManagedProcess({
    name: 'broadcaster',
    command: process.execPath,
    args: [distEntry('apps/livepeer-local/src/broadcaster.main')],
    env: { ...base, LIVEPEER_LOCAL_BROADCASTER_PORT: '0', LOG_LEVEL: 'info', ...env },
  });
}

const running: ManagedProcess[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((p) => p.stop()));
});

describe('app log format', () => {
  it('LOG_FORMAT=pretty prints readable one-liners, not JSON', async () => {
    const proc = broadcaster({ LOG_FORMAT: 'pretty' });
    running.push(proc);
    const line = await proc.waitForLine((l) => l.includes('listening on port'), 60_000, 'the listening line');
    expect(line).toMatch(
      /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(livepeer-broadcaster\): livepeer-broadcaster http listening on port \d+ \{.*"event":"listening"/,
    );
    expect(
      proc
        .tail(200)
        .split('\n')
        .some((l) => l.startsWith('{')),
    ).toBe(false);
  });

  it('LOG_PRETTY=true is the same as LOG_FORMAT=pretty', async () => {
    const proc = broadcaster({ LOG_PRETTY: 'true' });
    running.push(proc);
    const line = await proc.waitForLine((l) => l.includes('listening on port'), 60_000, 'the listening line');
    expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(livepeer-broadcaster\): /);
  });

  it('auto (the default) writes JSON into a pipe, which the launcher and tests read ports from', async () => {
    const proc = broadcaster({});
    running.push(proc);
    const port = await proc.waitForListening('http', 60_000);
    expect(port).toBeGreaterThan(0);
    const line = await proc.waitForLine((l) => l.includes('"event":"listening"'));
    expect(JSON.parse(line)).toMatchObject({ app: 'livepeer-broadcaster', event: 'listening', port });
  });
});
