import { readFileSync, readdirSync } from 'node:fs';

/** Linux clock ticks per second (USER_HZ), the unit of utime/stime in /proc/<pid>/stat. */
const TICKS_PER_SECOND = 100;

function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces: split after its closing parenthesis.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null;
  }
}

/** The process and every descendant (e.g. livepeer-local's broadcasters, ingest's segmenters). */
export function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields) parents.set(Number(entry), Number(fields[1]));
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

/** CPU time (ms, user + system) used so far by the given processes together. */
export function cpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const fields = statFields(pid);
    if (fields) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** Resident memory (MB) of the given processes together (shared pages counted in each). */
export function rssMb(pids: number[]): number {
  let kb = 0;
  for (const pid of pids) {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // the process ended between listing and reading
    }
  }
  return kb / 1024;
}

/** Samples CPU % (of one core) and peak RSS of a process tree over a window. */
export class TreeSampler {
  private startCpu = 0;
  private startAt = 0;
  peakRssMb = 0;
  private timer?: NodeJS.Timeout;

  constructor(readonly root: number) {}

  start(intervalMs = 500): void {
    this.startCpu = cpuMs(processTree(this.root));
    this.startAt = Date.now();
    this.timer = setInterval(() => {
      this.peakRssMb = Math.max(this.peakRssMb, rssMb(processTree(this.root)));
    }, intervalMs);
  }

  stop(): { cpuPercent: number; peakRssMb: number } {
    clearInterval(this.timer);
    const used = cpuMs(processTree(this.root)) - this.startCpu;
    return { cpuPercent: (100 * used) / Math.max(1, Date.now() - this.startAt), peakRssMb: this.peakRssMb };
  }
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
