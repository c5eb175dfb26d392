import path from 'node:path';
import { freePort } from './free-port';
import { ManagedProcess } from './managed-process';
import { distEntry, repoRoot } from './paths';
import { isRedisReachable, startRedisServer } from './redis-server';

export type RelayApp = 'livepeer-local' | 'ingest' | 'worker' | 'stitcher';

export interface SystemOptions {
  /** Base environment for every process (settings of the README table). */
  env: NodeJS.ProcessEnv;
  /** Where embedded services keep their files (data/ under npm start). */
  dataDir: string;
  /** Worker processes to run (default 1). */
  workers?: number;
  /** Copy every process's output to stdout with a [name] prefix. */
  echo?: boolean;
  /** How echoed lines are shown; the apps themselves always log JSON here, since their listening lines are read. */
  format?: (line: string) => string;
  /** Called with progress lines ("starting redis-server on ..."). */
  log?: (line: string) => void;
}

export interface RunningSystem {
  env: NodeJS.ProcessEnv;
  processes: Map<string, ManagedProcess>;
  urls: { stitcher: string; ingestHttp: string; rtmp: string; livepeerApi: string; s3: string; redis: string };
  /**
   * Stops one process (SIGTERM, or SIGKILL when `kill`) and starts it again with the
   * same command and settings; resolves once it listens again. For fault tests: give
   * the process a fixed port if its URL must stay the same.
   */
  restart(name: string, options?: { kill?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

const WAIT_MS = 60_000;

/**
 * Starts the whole relay on one machine: the services it needs when none is
 * configured (redis-server, the embedded S3 server, livepeer-local), database
 * migrations once, then ingest, worker(s) and stitcher, each its own process.
 * `npm start` and the end-to-end tests both start the system through this.
 */
export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const log = options.log ?? (() => undefined);
  // The apps write into pipes that this process reads (listening lines carry the ports):
  // JSON always; the terminal's choice of format applies to what is echoed (options.format).
  const env: NodeJS.ProcessEnv = { ...options.env, LOG_FORMAT: 'json', LOG_PRETTY: undefined };
  const processes = new Map<string, ManagedProcess>();
  const order: string[] = [];
  const specs = new Map<string, { command: string; args: string[] }>();
  const launch = (name: string, command: string, args: string[]) => {
    const proc = new ManagedProcess({ name, command, args, env, echo: options.echo, format: options.format });
    processes.set(name, proc);
    specs.set(name, { command, args });
    if (!order.includes(name)) order.push(name);
    return proc;
  };
  const restart = async (name: string, restartOptions: { kill?: boolean } = {}) => {
    const spec = specs.get(name);
    const current = processes.get(name);
    if (!spec || !current) throw new Error(`no process named ${name} to restart`);
    if (restartOptions.kill) {
      current.kill('SIGKILL');
      await current.exited;
    } else {
      await current.stop();
    }
    await launch(name, spec.command, spec.args).waitForListening('http', WAIT_MS);
  };
  const node = (entry: string) => [`--enable-source-maps`, distEntry(entry)];
  const stop = async () => {
    for (const name of [...order].reverse()) await processes.get(name)?.stop();
  };

  try {
    // Redis: the configured one, the machine's on 6379, or our own.
    if (!env.REDIS_URL) {
      const local = 'redis://127.0.0.1:6379';
      if (await isRedisReachable(local)) {
        env.REDIS_URL = local;
        log(`using the Redis already running at ${local}`);
      } else {
        const port = Number(env.REDIS_PORT ?? 6379) || (await freePort());
        log(`starting redis-server on 127.0.0.1:${port}`);
        const redis = await startRedisServer({ port, dataDir: path.join(options.dataDir, 'redis'), echo: options.echo });
        processes.set('redis', redis);
        order.push('redis');
        env.REDIS_URL = `redis://127.0.0.1:${port}`;
      }
    } else if (!(await isRedisReachable(env.REDIS_URL))) {
      throw new Error(`REDIS_URL is set but no Redis answers there`);
    }

    // Object store: the configured endpoint, or the embedded S3 server.
    if (!env.S3_ENDPOINT) {
      const s3 = launch('s3', process.execPath, [
        ...node('libs/runtime/src/s3-server.main'),
        '--port',
        String(env.S3_PORT || 9000),
        '--dir',
        path.join(options.dataDir, 's3'),
      ]);
      const port = await s3.waitForListening('http', WAIT_MS);
      env.S3_ENDPOINT = `http://127.0.0.1:${port}`;
      log(`embedded S3 server on ${env.S3_ENDPOINT} (data in ${path.join(options.dataDir, 's3')})`);
    }

    // Database: migrate once here, so the apps starting together find nothing to do.
    env.DATABASE_URL ??= `sqlite:${path.join(options.dataDir, 'relay.sqlite')}`;
    const migrate = launch('migrate', process.execPath, node('libs/database/src/cli'));
    const migrated = await migrate.exited;
    if (migrated.code !== 0) throw new Error(`database migration failed:\n${migrate.tail()}`);
    processes.delete('migrate');
    order.splice(order.indexOf('migrate'), 1);

    // Transcoding network: the configured Livepeer API, or livepeer-local.
    if (!env.LIVEPEER_API_URL) {
      const lp = launch('livepeer-local', process.execPath, node('apps/livepeer-local/src/main'));
      const port = await lp.waitForListening('http', WAIT_MS);
      env.LIVEPEER_API_URL = `http://127.0.0.1:${port}/api`;
      log(`livepeer-local API on ${env.LIVEPEER_API_URL}`);
    }

    const apps: Array<[string, RelayApp]> = [
      ['ingest', 'ingest'],
      ['stitcher', 'stitcher'],
    ];
    const workerCount = options.workers ?? 1;
    for (let i = 1; i <= workerCount; i++) apps.push([workerCount === 1 ? 'worker' : `worker-${i}`, 'worker']);
    const started = apps.map(([name, app]) => launch(name, process.execPath, node(`apps/${app}/src/main`)));
    const ports = await Promise.all(started.map((p) => p.waitForListening('http', WAIT_MS)));
    const byName = Object.fromEntries(apps.map(([name], i) => [name, ports[i]]));
    const rtmpPort = await processes
      .get('ingest')!
      .waitForListening('rtmp', WAIT_MS)
      .catch(() => Number(env.INGEST_RTMP_PORT ?? 1935));

    // Every app's readiness (Redis, S3, database answering) before reporting success.
    await Promise.all(apps.map(([name]) => waitReady(`http://127.0.0.1:${byName[name]}`, name, processes.get(name)!)));
    const host = env.PUBLIC_HOST ?? '127.0.0.1';
    return {
      env,
      processes,
      stop,
      restart,
      urls: {
        stitcher: `http://${host}:${byName.stitcher}`,
        ingestHttp: `http://${host}:${byName.ingest}`,
        rtmp: `rtmp://${host}:${rtmpPort}/live`,
        livepeerApi: env.LIVEPEER_API_URL!,
        s3: env.S3_ENDPOINT!,
        redis: env.REDIS_URL!.replace(/\/\/[^@]*@/, '//'),
      },
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitReady(url: string, name: string, proc: ManagedProcess): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  let last = '';
  while (Date.now() < deadline) {
    if (!proc.running) throw new Error(`${name} exited while starting:\n${proc.tail()}`);
    try {
      const res = await fetch(`${url}/health/ready`);
      if (res.ok) return;
      last = await res.text();
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${name} not ready after ${WAIT_MS} ms: ${last}\n${proc.tail()}`);
}

export { repoRoot };
