import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { ConfigOf, InjectConfig, commonConfig, livepeerLocalConfig } from '@lib/config';
import { ManagedProcess } from '@lib/runtime';
import path from 'node:path';
import { BroadcasterRegistryService } from './broadcaster-registry.service';

/** Loopback when the API listens on every interface (the children call it on this machine). */
function reachableHost(bindHost: string): string {
  return bindHost === '0.0.0.0' || bindHost === '::' ? '127.0.0.1' : bindHost;
}

/**
 * Starts the LIVEPEER_LOCAL_BROADCASTERS broadcaster processes (each its own OS process, so one
 * can be killed like a real node), registers them with the registry and stops them on shutdown.
 * A broadcaster that dies drops out of /api/broadcaster like a dead node (its health check fails);
 * with LIVEPEER_LOCAL_BROADCASTER_RESTART_MS it is started again on the same port, and is listed
 * again once it answers its health check.
 */
@Injectable()
export class BroadcasterSupervisorService implements OnApplicationShutdown {
  private readonly logger = new Logger('Supervisor');
  private readonly children: ManagedProcess[] = [];
  private startingCount = 0;
  private stopping = false;

  constructor(
    @InjectConfig(livepeerLocalConfig) private readonly config: ConfigOf<typeof livepeerLocalConfig>,
    @InjectConfig(commonConfig) private readonly common: ConfigOf<typeof commonConfig>,
    private readonly registry: BroadcasterRegistryService,
  ) {}

  /** true until every broadcaster this process starts has announced its port */
  get starting(): boolean {
    return this.startingCount > 0;
  }

  processes(): { name: string; pid?: number; running: boolean }[] {
    return this.children.map((c) => ({ name: c.options.name, pid: c.pid, running: c.running }));
  }

  async start(apiPort: number): Promise<void> {
    const count = this.config.broadcasters;
    this.startingCount = count;
    const hookUrl = `http://${reachableHost(this.common.bindHost)}:${apiPort}/api/stream/hook`;
    await Promise.all(Array.from({ length: count }, (_, i) => this.startOne(i, hookUrl)));
  }

  private async startOne(index: number, hookUrl: string, fixedPort?: number, restarted = false): Promise<void> {
    const name = `broadcaster-${index}`;
    const region = this.config.regions[index % this.config.regions.length];
    const port = fixedPort ?? (this.config.broadcasterPort === 0 ? 0 : this.config.broadcasterPort + index);
    const child = new ManagedProcess({
      name,
      command: process.execPath,
      args: ['--enable-source-maps', path.join(__dirname, '..', 'broadcaster.main.js')],
      env: {
        ...process.env,
        LIVEPEER_LOCAL_BROADCASTER_PORT: String(port),
        LIVEPEER_LOCAL_BROADCASTER_REGION: region,
        LIVEPEER_LOCAL_HOOK_URL: hookUrl,
        LIVEPEER_LOCAL_PARENT_PID: String(process.pid),
      },
      // Children log JSON lines too; the name prefix keeps them apart from the API's own lines
      // (and keeps their "listening" lines from being taken for the API's).
      echo: true,
    });
    this.children.push(child);
    let actualPort: number | undefined;
    child.on('exit', (info: unknown) => {
      this.logger.warn({ event: 'broadcaster-exited', name, pid: child.pid, exit: info }, `${name} exited`);
      const delay = this.config.broadcasterRestartMs;
      if (this.stopping || delay === 0 || actualPort === undefined) return;
      const samePort = actualPort;
      setTimeout(() => {
        if (this.stopping) return;
        this.children.splice(this.children.indexOf(child), 1);
        void this.startOne(index, hookUrl, samePort, true).catch((err: Error) =>
          this.logger.error({ event: 'broadcaster-restart-failed', name, err: err.message }, `${name} could not be started again`),
        );
      }, delay).unref();
    });
    if (restarted) this.startingCount++;
    try {
      actualPort = await child.waitForListening('http', 60_000);
      const address = `http://${this.common.publicHost}:${actualPort}`;
      this.logger.log({ event: 'broadcaster-started', name, pid: child.pid, address, region }, `${name} listening at ${address}`);
      this.registry.add(address, region, 'spawned');
    } finally {
      this.startingCount--;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await Promise.all(this.children.map((c) => c.stop(5000)));
  }
}
