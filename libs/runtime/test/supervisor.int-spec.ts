import { ManagedProcess } from '../src/managed-process';
import { GiveUp, Supervisor } from '../src/supervisor';
import { waitFor } from '@lib/testing';

/** A node process that announces an "http" listener, and on SIGTERM exits after `stopDelayMs`. */
function serviceScript(options: { exitAfterMs?: number; exitCode?: number; stopDelayMs?: number } = {}): string {
  return `
    const http = require('node:http');
    const server = http.createServer((q, r) => r.end('ok')).listen(0, '127.0.0.1', () => {
      console.log(JSON.stringify({ event: 'listening', listener: 'http', port: server.address().port }));
    });
    ${options.exitAfterMs !== undefined ? `setTimeout(() => { console.error('fatal: cannot go on'); process.exit(${options.exitCode ?? 1}); }, ${options.exitAfterMs});` : ''}
    process.on('SIGTERM', () => setTimeout(() => process.exit(0), ${options.stopDelayMs ?? 0}));
  `;
}

describe('Supervisor', () => {
  const fastPolicy = { backoffMs: 50, backoffMaxMs: 200, resetAfterMs: 60_000, crashLoopCount: 3, crashLoopWindowMs: 60_000 };
  let supervisor: Supervisor;
  let lines: string[];
  let giveUps: GiveUp[];
  let processes: Map<string, ManagedProcess>;
  const spec = (name: string, script: string) => ({
    name,
    spawn: () => new ManagedProcess({ name, command: process.execPath, args: ['-e', script] }),
    ready: (p: ManagedProcess) => p.waitForListening('http', 10_000).then(() => undefined),
    required: true,
  });

  beforeEach(() => {
    lines = [];
    giveUps = [];
    processes = new Map();
    supervisor = new Supervisor({ restartPolicy: fastPolicy, log: (l) => lines.push(l), onGiveUp: (g) => giveUps.push(g), processes });
  });
  afterEach(() => supervisor.stop([]));

  it('restarts a process killed with SIGKILL, logs it, and leaves the others running', async () => {
    await supervisor.add(spec('ingest', serviceScript()));
    const other = await supervisor.add(spec('stitcher', serviceScript()));
    const first = processes.get('ingest')!;
    first.kill('SIGKILL');
    await waitFor(() => lines.some((l) => l.startsWith('restarted ingest')), { timeoutMs: 10_000, what: 'the restart' });
    const second = processes.get('ingest')!;
    expect(second.pid).not.toBe(first.pid);
    expect(second.running).toBe(true);
    expect(lines).toContain('ingest exited (signal SIGKILL); restarting it in 50 ms');
    expect(processes.get('stitcher')).toBe(other);
    expect(other.running).toBe(true);
    expect(giveUps).toEqual([]);
  });

  it('gives a crash-looping process up with one line naming it, its exit and its last output', async () => {
    await supervisor.add(spec('worker', serviceScript({ exitAfterMs: 300, exitCode: 3 })));
    await waitFor(() => giveUps.length > 0, { timeoutMs: 20_000, what: 'the crash loop to be reported' });
    expect(giveUps).toEqual([{ name: 'worker', required: true, exit: { code: 3, signal: null } }]);
    const restarts = lines.filter((l) => l.startsWith('worker exited (exit code 3); restarting it in'));
    expect(restarts.map((l) => l.match(/in (\d+) ms/)![1])).toEqual(['50', '100']);
    const report = lines.filter((l) => l.includes('crash loop'));
    expect(report).toHaveLength(1);
    expect(report[0]).toMatch(
      /^worker crash loop: 3 crashes within 60 s, last exit code 3; giving it up \(required: the system stops\); last output: .*fatal: cannot go on/,
    );
    // Given up means not started again.
    const last = processes.get('worker')!;
    await last.exited;
    expect(processes.get('worker')).toBe(last);
    expect(lines.filter((l) => l.startsWith('restarted worker'))).toHaveLength(2);
  });

  it('stops stage by stage, each once the previous one has exited', async () => {
    await supervisor.add(spec('ingest', serviceScript({ stopDelayMs: 600 })));
    await supervisor.add(spec('worker-1', serviceScript({ stopDelayMs: 300 })));
    await supervisor.add(spec('worker-2', serviceScript({ stopDelayMs: 300 })));
    await supervisor.add(spec('s3', serviceScript()));
    const exitedAt: Record<string, number> = {};
    for (const [name, proc] of processes) void proc.exited.then(() => (exitedAt[name] = performance.now()));
    await supervisor.stop([['ingest'], ['worker-1', 'worker-2'], ['s3']]);
    expect(
      Object.keys(exitedAt)
        .sort((a, b) => exitedAt[a] - exitedAt[b])
        .slice(0, 1),
    ).toEqual(['ingest']);
    expect(exitedAt.s3).toBeGreaterThan(Math.max(exitedAt['worker-1'], exitedAt['worker-2']));
    expect(Math.min(exitedAt['worker-1'], exitedAt['worker-2'])).toBeGreaterThan(exitedAt.ingest);
    expect(lines.filter((l) => l.startsWith('stopping'))).toEqual(['stopping ingest', 'stopping worker-1, worker-2', 'stopping s3']);
    // Exits during the stop are no crashes: nothing is restarted.
    expect(lines.some((l) => l.includes('restarting'))).toBe(false);
  });
});
