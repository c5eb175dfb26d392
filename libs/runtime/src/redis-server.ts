import Redis from 'ioredis';
import { mkdirSync } from 'node:fs';
import { ManagedProcess } from './managed-process';

/** True when a Redis server answers PING at the URL within timeoutMs. */
export async function isRedisReachable(url: string, timeoutMs = 1500): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, connectTimeout: timeoutMs, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export interface RedisServerOptions {
  port: number;
  /** Directory for the append-only file; without it the server keeps nothing on disk. */
  dataDir?: string;
  echo?: boolean;
}

/**
 * Starts a private redis-server (Debian's binary). The npm start launcher uses it
 * when no Redis is reachable; tests use it when they need to stop/restart Redis
 * without touching the machine's shared one.
 */
export async function startRedisServer(options: RedisServerOptions): Promise<ManagedProcess> {
  const proc = spawnRedisServer(options);
  await redisServerReady(proc);
  return proc;
}

/** Spawns the redis-server of startRedisServer without waiting for it (the launcher's supervisor waits). */
export function spawnRedisServer(options: RedisServerOptions & { detached?: boolean }): ManagedProcess {
  const args = ['--port', String(options.port), '--bind', '127.0.0.1', '--save', '', '--maxmemory-policy', 'noeviction'];
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    args.push('--dir', options.dataDir, '--appendonly', 'yes');
  } else {
    args.push('--appendonly', 'no');
  }
  return new ManagedProcess({ name: 'redis', command: 'redis-server', args, echo: options.echo, detached: options.detached });
}

export async function redisServerReady(proc: ManagedProcess): Promise<void> {
  await proc.waitForLine((l) => l.includes('Ready to accept connections'), 15_000, 'redis ready line');
}
