import { ChildProcess, spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import readline from 'node:readline';

export interface ManagedProcessOptions {
  /** Short name used as the line prefix when echoing and in error messages. */
  name: string;
  command: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Copy the child's output to this process's stdout, prefixed with the name. */
  echo?: boolean;
  /** How an echoed line is shown (e.g. JSON log lines made readable); the kept and scanned line is the raw one. */
  format?: (line: string) => string;
  /**
   * Run in its own process group, so a terminal's Ctrl-C (sent to the whole
   * foreground group) reaches only the parent, which then stops it in its turn.
   */
  detached?: boolean;
}

/** A JSON log line that announces a listener (see announceListening in @lib/observability). */
interface ListeningLine {
  event: 'listening';
  listener: string;
  port: number;
}

/**
 * A child process whose output is kept (the last lines, for error messages) and
 * scanned for readiness lines; stop() is SIGTERM then SIGKILL after a grace period.
 */
export class ManagedProcess extends EventEmitter {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly recent: string[] = [];
  private readonly listeners_ = new Map<string, number>();
  private exitInfo?: { code: number | null; signal: NodeJS.Signals | null };

  constructor(readonly options: ManagedProcessOptions) {
    super();
    this.child = spawn(options.command, options.args ?? [], {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: options.detached,
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        this.emit('exit', this.exitInfo);
        resolve(this.exitInfo);
      });
      this.child.once('error', (err) => {
        this.remember(`spawn error: ${err.message}`);
        this.exitInfo = { code: -1, signal: null };
        resolve(this.exitInfo);
      });
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      readline.createInterface({ input: stream }).on('line', (line) => this.onLine(line));
    }
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** The last lines the process printed, for test failure messages. */
  tail(lines = 40): string {
    return this.recent.slice(-lines).join('\n');
  }

  private remember(line: string) {
    this.recent.push(line);
    if (this.recent.length > 500) this.recent.shift();
  }

  private onLine(line: string) {
    this.remember(line);
    if (this.options.echo) process.stdout.write(`[${this.options.name}] ${this.options.format?.(line) ?? line}\n`);
    if (line.includes('"event":"listening"')) {
      try {
        const parsed = JSON.parse(line) as ListeningLine;
        this.listeners_.set(parsed.listener, parsed.port);
      } catch {
        // Not JSON after all: ignore, the line is still kept for tail().
      }
    }
    this.emit('line', line);
  }

  /** Waits for a line matching the predicate; fails early if the process exits. */
  waitForLine(match: (line: string) => boolean, timeoutMs = 30_000, what = 'the expected output'): Promise<string> {
    return new Promise((resolve, reject) => {
      const found = this.recent.find(match);
      if (found) return resolve(found);
      const cleanup = () => {
        clearTimeout(timer);
        this.off('line', onLine);
        this.off('exit', onExit);
      };
      const onLine = (line: string) => {
        if (match(line)) {
          cleanup();
          resolve(line);
        }
      };
      const onExit = () => {
        cleanup();
        reject(new Error(`${this.options.name} exited (${JSON.stringify(this.exitInfo)}) before ${what}:\n${this.tail()}`));
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`${this.options.name}: no ${what} within ${timeoutMs} ms:\n${this.tail()}`));
      }, timeoutMs);
      this.on('line', onLine);
      if (!this.running) return onExit();
      this.on('exit', onExit);
    });
  }

  /** Port of a listener the process announced ("http", "rtmp", ...). */
  async waitForListening(listener = 'http', timeoutMs = 30_000): Promise<number> {
    const known = this.listeners_.get(listener);
    if (known !== undefined) return known;
    await this.waitForLine(
      (l) => l.includes('"event":"listening"') && l.includes(`"listener":"${listener}"`),
      timeoutMs,
      `"${listener}" listening line`,
    );
    return this.listeners_.get(listener)!;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.running) this.child.kill(signal);
  }

  /** SIGTERM, then SIGKILL if the process has not exited within graceMs. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
