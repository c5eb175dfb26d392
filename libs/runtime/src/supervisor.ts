import { ManagedProcess } from './managed-process';
import { RestartPolicy, RestartPolicySettings } from './restart-policy';

export interface SupervisedProcess {
  name: string;
  /** Spawns the process (again: with the same command, settings and ports). */
  spawn(): ManagedProcess;
  /** Resolves once the spawned process serves; rejects if it exits first. */
  ready(proc: ManagedProcess): Promise<void>;
  /** A required process given up after a crash loop takes the whole system down. */
  required: boolean;
}

export interface GiveUp {
  name: string;
  required: boolean;
  exit: ExitInfo;
}

type ExitInfo = { code: number | null; signal: NodeJS.Signals | null };

interface Unit {
  spec: SupervisedProcess;
  proc: ManagedProcess;
  startedAt: number;
  policy?: RestartPolicy;
  /** Set while restart() replaces the process on purpose: its exit is no crash. */
  replacing: boolean;
  pendingRestart?: NodeJS.Timeout;
}

export interface SupervisorOptions {
  /** Restart crashed processes with this policy; without it a crash is only logged. */
  restartPolicy?: RestartPolicySettings;
  log: (line: string) => void;
  onGiveUp?: (giveUp: GiveUp) => void;
  /** Kept up to date with the current process of every name (RunningSystem.processes). */
  processes: Map<string, ManagedProcess>;
}

/** "exit code 1" or "signal SIGKILL". */
export function describeExit(exit: ExitInfo): string {
  return exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
}

/**
 * Keeps the system's processes running: a process that exits on its own is started
 * again after the restart policy's backoff, the others keep running; a crash loop is
 * reported in one line (name, exit, the tail of its output) and that process given up.
 * stop() stops the processes stage by stage, each stage once the previous one exited.
 */
export class Supervisor {
  private readonly units = new Map<string, Unit>();
  private stopping = false;

  constructor(private readonly options: SupervisorOptions) {}

  /** Starts a process, waits until it serves, and watches it from then on. */
  async add(spec: SupervisedProcess): Promise<ManagedProcess> {
    const proc = spec.spawn();
    this.options.processes.set(spec.name, proc);
    const policy = this.options.restartPolicy && new RestartPolicy(this.options.restartPolicy);
    const unit: Unit = { spec, proc, startedAt: Date.now(), policy, replacing: true };
    this.units.set(spec.name, unit);
    await spec.ready(proc);
    unit.replacing = false;
    this.watch(unit, proc);
    return proc;
  }

  /** Replaces a process on purpose (SIGTERM, or SIGKILL when `kill`); resolves once the new one serves. */
  async restart(name: string, kill = false): Promise<void> {
    const unit = this.units.get(name);
    if (!unit) throw new Error(`no process named ${name} to restart`);
    unit.replacing = true;
    clearTimeout(unit.pendingRestart);
    try {
      if (kill) unit.proc.kill('SIGKILL');
      else await unit.proc.stop();
      await unit.proc.exited;
      const proc = this.respawn(unit);
      await unit.spec.ready(proc);
    } finally {
      unit.replacing = false;
    }
  }

  /** Stops every process, stage by stage; processes named in no stage go last. */
  async stop(stages: string[][]): Promise<void> {
    this.stopping = true;
    for (const unit of this.units.values()) clearTimeout(unit.pendingRestart);
    const named = new Set(stages.flat());
    const rest = [...this.units.keys()].filter((name) => !named.has(name));
    for (const stage of [...stages, rest]) {
      const units = stage.map((name) => this.units.get(name)).filter((u): u is Unit => !!u && u.proc.running);
      if (!units.length) continue;
      this.options.log(`stopping ${units.map((u) => u.spec.name).join(', ')}`);
      await Promise.all(
        units.map(async (unit) => {
          const since = Date.now();
          await unit.proc.stop();
          const exit = await unit.proc.exited;
          this.options.log(`stopped ${unit.spec.name} (${describeExit(exit)}, ${((Date.now() - since) / 1000).toFixed(1)} s)`);
        }),
      );
    }
  }

  private respawn(unit: Unit): ManagedProcess {
    const proc = unit.spec.spawn();
    unit.proc = proc;
    unit.startedAt = Date.now();
    this.options.processes.set(unit.spec.name, proc);
    this.watch(unit, proc);
    return proc;
  }

  private watch(unit: Unit, proc: ManagedProcess): void {
    void proc.exited.then((exit) => {
      if (this.stopping || unit.replacing || unit.proc !== proc) return;
      this.onCrash(unit, proc, exit);
    });
  }

  private onCrash(unit: Unit, proc: ManagedProcess, exit: ExitInfo): void {
    const { name, required } = unit.spec;
    if (!unit.policy) {
      this.options.log(`${name} exited (${describeExit(exit)}); not restarted (supervision off)`);
      return;
    }
    const decision = unit.policy.onCrash(Date.now(), unit.startedAt);
    if (decision.action === 'give-up') {
      const tail = proc.tail(10).split('\n').filter(Boolean).join(' | ');
      this.options.log(
        `${name} crash loop: ${decision.crashes} crashes within ${decision.windowMs / 1000} s, last ${describeExit(exit)}; ` +
          `giving it up${required ? ' (required: the system stops)' : ''}; last output: ${tail || '(none)'}`,
      );
      this.options.onGiveUp?.({ name, required, exit });
      return;
    }
    this.options.log(`${name} exited (${describeExit(exit)}); restarting it in ${decision.delayMs} ms`);
    unit.pendingRestart = setTimeout(() => {
      if (this.stopping || unit.replacing) return;
      const next = this.respawn(unit);
      unit.spec.ready(next).then(
        () => this.options.log(`restarted ${name} (pid ${next.pid})`),
        // A start that fails ends in an exit, which watch() counts as the next crash.
        () => next.kill('SIGKILL'),
      );
    }, decision.delayMs);
  }
}
