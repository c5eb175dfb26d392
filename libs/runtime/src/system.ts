import path from 'node:path';
import { freePort } from './free-port';
import { ManagedProcess } from './managed-process';
import { distEntry, repoRoot } from './paths';
import { isRedisReachable, redisServerReady, spawnRedisServer } from './redis-server';
import { RestartPolicySettings } from './restart-policy';
import { GiveUp, Supervisor } from './supervisor';

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
  /** Called with progress lines ("starting redis-server on ...", restarts, the stopping order). */
  log?: (line: string) => void;
  /** Restart a process that exits on its own with this policy (npm start always does); without it, a crash is only logged. */
  restartPolicy?: RestartPolicySettings;
  /** Called when a crash-looping process is given up (after its one report line). */
  onGiveUp?: (giveUp: GiveUp) => void;
}

export interface RunningSystem {
  env: NodeJS.ProcessEnv;
  /** The current process of every name (a restarted one replaces its predecessor). */
  processes: Map<string, ManagedProcess>;
  urls: { stitcher: string; ingestHttp: string; rtmp: string; livepeerApi: string; s3: string; redis: string };
  /**
   * Stops one process (SIGTERM, or SIGKILL when `kill`) and starts it again with the
   * same command, settings and ports; resolves once it listens again. For fault tests.
   */
  restart(name: string, options?: { kill?: boolean }): Promise<void>;
  /** Stops in data-flow order (SHUTDOWN_STAGES), each stage once the previous one exited. */
  stop(): Promise<void>;
  /** SIGKILLs whatever still runs, at once (for the launcher's own exit). */
  killAll(): void;
}

const WAIT_MS = 60_000;

/**
 * The order processes stop in: producers before consumers before the stores, so
 * ingest's last segments still reach a running queue, object store and database,
 * the workers finish their uploads, and the stitcher republishes what it can
 * (docs/architecture.md, "Supervision and shutdown").
 */
export function shutdownStages(processNames: Iterable<string>): string[][] {
  const names = [...processNames];
  const workers = names.filter((n) => n === 'worker' || n.startsWith('worker-'));
  return [['ingest'], workers, ['stitcher'], ['livepeer-local'], ['s3'], ['redis']];
}

/** The environment variables holding each app's listener ports, pinned for its restarts. */
const PORT_VARIABLES: Record<string, Record<string, string>> = {
  ingest: { http: 'INGEST_HTTP_PORT', rtmp: 'INGEST_RTMP_PORT' },
  worker: { http: 'WORKER_HTTP_PORT' },
  stitcher: { http: 'STITCHER_HTTP_PORT' },
  'livepeer-local': { http: 'LIVEPEER_LOCAL_PORT' },
};

/**
 * Starts the whole relay on one machine: the services it needs when none is
 * configured (redis-server, the embedded S3 server, livepeer-local), database
 * migrations once, then ingest, worker(s) and stitcher, each its own process,
 * supervised (restarted when they crash) when a restart policy is given.
 * `npm start` and the end-to-end tests both start the system through this.
 */
export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const log = options.log ?? (() => undefined);
  // The apps write into pipes that this process reads (listening lines carry the ports):
  // JSON always; the terminal's choice of format applies to what is echoed (options.format).
  const env: NodeJS.ProcessEnv = { ...options.env, LOG_FORMAT: 'json', LOG_PRETTY: undefined };
  const processes = new Map<string, ManagedProcess>();
  const supervisor = new Supervisor({ restartPolicy: options.restartPolicy, log, onGiveUp: options.onGiveUp, processes });
  const spawnNode =
    (name: string, args: () => string[], ownEnv: NodeJS.ProcessEnv = {}) =>
    () =>
      new ManagedProcess({
        name,
        command: process.execPath,
        args: args(),
        env: { ...env, ...ownEnv },
        echo: options.echo,
        format: options.format,
        detached: true,
      });
  const node = (entry: string) => [`--enable-source-maps`, distEntry(entry)];
  /** Starts an app and pins the ports it announced, so a restart listens where its clients look. */
  const startApp = async (name: string, app: RelayApp) => {
    const ownEnv: NodeJS.ProcessEnv = {};
    const proc = await supervisor.add({
      name,
      spawn: spawnNode(name, () => node(`apps/${app}/src/main`), ownEnv),
      ready: (p) => p.waitForListening('http', WAIT_MS).then(() => undefined),
      required: true,
    });
    const ports: Record<string, number> = {};
    for (const [listener, variable] of Object.entries(PORT_VARIABLES[app])) {
      ports[listener] = await proc.waitForListening(listener, WAIT_MS);
      ownEnv[variable] = String(ports[listener]);
    }
    return ports;
  };
  const killAll = () => {
    for (const proc of processes.values()) proc.kill('SIGKILL');
  };
  // The processes run in their own process groups (a terminal's Ctrl-C reaches only
  // this one): however this process ends, they end with it.
  process.on('exit', killAll);
  const stop = async () => {
    await supervisor.stop(shutdownStages(processes.keys()));
    process.off('exit', killAll);
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
        const dataDir = path.join(options.dataDir, 'redis');
        await supervisor.add({
          name: 'redis',
          spawn: () => spawnRedisServer({ port, dataDir, echo: options.echo, detached: true }),
          ready: redisServerReady,
          required: true,
        });
        env.REDIS_URL = `redis://127.0.0.1:${port}`;
      }
    } else if (!(await isRedisReachable(env.REDIS_URL))) {
      throw new Error(`REDIS_URL is set but no Redis answers there`);
    }

    // Object store: the configured endpoint, or the embedded S3 server (restarted on the same port).
    if (!env.S3_ENDPOINT) {
      const s3Dir = path.join(options.dataDir, 's3');
      let s3Port = String(env.S3_PORT || 9000);
      const s3 = await supervisor.add({
        name: 's3',
        spawn: spawnNode('s3', () => [...node('libs/runtime/src/s3-server.main'), '--port', s3Port, '--dir', s3Dir]),
        ready: (p) => p.waitForListening('http', WAIT_MS).then(() => undefined),
        required: true,
      });
      s3Port = String(await s3.waitForListening('http', WAIT_MS));
      env.S3_ENDPOINT = `http://127.0.0.1:${s3Port}`;
      log(`embedded S3 server on ${env.S3_ENDPOINT} (data in ${s3Dir})`);
    }

    // Database: migrate once here, so the apps starting together find nothing to do.
    env.DATABASE_URL ??= `sqlite:${path.join(options.dataDir, 'relay.sqlite')}`;
    // The spool is one ingest's own (a restarted ingest recovers every directory in it): keep it
    // with this system's data, never in a default another system on the machine shares.
    env.INGEST_SPOOL_DIR ??= path.join(options.dataDir, 'ingest-spool');
    const migrate = spawnNode('migrate', () => node('libs/database/src/cli'))();
    processes.set('migrate', migrate);
    const migrated = await migrate.exited;
    processes.delete('migrate');
    if (migrated.code !== 0) throw new Error(`database migration failed:\n${migrate.tail()}`);

    // Transcoding network: the configured Livepeer API, or livepeer-local.
    if (!env.LIVEPEER_API_URL) {
      const { http } = await startApp('livepeer-local', 'livepeer-local');
      env.LIVEPEER_API_URL = `http://127.0.0.1:${http}/api`;
      log(`livepeer-local API on ${env.LIVEPEER_API_URL}`);
    }

    const apps: Array<[string, RelayApp]> = [
      ['ingest', 'ingest'],
      ['stitcher', 'stitcher'],
    ];
    const workerCount = options.workers ?? 1;
    for (let i = 1; i <= workerCount; i++) apps.push([workerCount === 1 ? 'worker' : `worker-${i}`, 'worker']);
    const started = await Promise.all(apps.map(([name, app]) => startApp(name, app)));
    const byName = Object.fromEntries(apps.map(([name], i) => [name, started[i].http]));
    const rtmpPort = started[0].rtmp;

    // Every app's readiness (Redis, S3, database answering) before reporting success.
    await Promise.all(apps.map(([name]) => waitReady(`http://127.0.0.1:${byName[name]}`, name, processes.get(name)!)));
    const host = env.PUBLIC_HOST ?? '127.0.0.1';
    return {
      env,
      processes,
      stop,
      restart: (name, restartOptions = {}) => supervisor.restart(name, restartOptions.kill),
      killAll,
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
