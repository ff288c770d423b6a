import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Resource readings from Linux's `/proc`: of another process, for benchmarks that drive the
 * service as a child process (worker threads belong to the same process, so inference is
 * included), and of this process's threads, for benchmarks that run the pipeline in-process.
 * All readers return undefined where `/proc` is unavailable (not Linux, process gone).
 */

let clockTicks: number | undefined;

/** Kernel clock ticks per second (`getconf CLK_TCK`), the unit of utime/stime in /proc/<pid>/stat. */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU seconds (user + system) the process has used so far. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is parenthesised and may contain spaces; fields 3.. follow the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    if (!Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
    return (utime + stime) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

/** A field of /proc/<pid>/status given in kB (VmHWM, VmRSS, …), in MiB. */
export function statusMiB(pid: number, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Resets the process's peak RSS (VmHWM) to its current RSS (`echo 5 > /proc/<pid>/clear_refs`,
 * Linux ≥ 4.0), so a peak can be read per benchmark phase. False where that is not allowed.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** CPU use of a process between two points in time, as a percentage of one core. */
export class CpuMeter {
  private readonly startCpu: number | undefined;
  private readonly startWall = process.hrtime.bigint();

  /** `source`: a pid, or any reading of CPU seconds (several processes, a process group). */
  constructor(private readonly source: number | (() => number | undefined)) {
    this.startCpu = this.read();
  }

  /** CPU seconds used since the meter started. */
  seconds(): number {
    const end = this.read();
    return end === undefined || this.startCpu === undefined ? Number.NaN : end - this.startCpu;
  }

  percentOfOneCore(): number {
    const wall = Number(process.hrtime.bigint() - this.startWall) / 1e9;
    return wall > 0 ? (100 * this.seconds()) / wall : Number.NaN;
  }

  private read(): number | undefined {
    return typeof this.source === 'number' ? cpuSeconds(this.source) : this.source();
  }
}

/** The pids of every process named `name` (e.g. a local PostgreSQL's postmaster and backends). */
export function pidsNamed(name: string): number[] {
  try {
    return readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === name;
        } catch {
          return false;
        }
      })
      .map(Number);
  } catch {
    return [];
  }
}

/**
 * CPU seconds a group of processes named `name` used since the meter started: per process, the
 * growth of its counter; processes that appeared meanwhile (a pool opening connections) count in
 * full, processes that exited count what they had used at the last reading.
 */
export class ProcessGroupCpuMeter {
  private readonly start = new Map<number, number>();
  private readonly last = new Map<number, number>();

  constructor(private readonly name: string) {
    for (const pid of pidsNamed(name)) {
      const cpu = cpuSeconds(pid);
      if (cpu !== undefined) this.start.set(pid, cpu);
    }
  }

  /** Takes a reading (call it now and then so exiting processes are not lost) and returns the total. */
  seconds(): number {
    for (const pid of pidsNamed(this.name)) {
      const cpu = cpuSeconds(pid);
      if (cpu !== undefined) this.last.set(pid, cpu);
    }
    let total = 0;
    for (const [pid, cpu] of this.last) total += cpu - (this.start.get(pid) ?? 0);
    return total;
  }
}

/** CPU seconds used so far by all of `pids` together (processes that have exited count as 0). */
export function totalCpuSeconds(pids: number[]): number | undefined {
  if (pids.length === 0) return undefined;
  return pids.reduce((sum, pid) => sum + (cpuSeconds(pid) ?? 0), 0);
}

/** The 1-, 5- and 15-minute load averages of the machine (/proc/loadavg). */
export function loadAverage(): [number, number, number] | undefined {
  try {
    const [a, b, c] = readFileSync('/proc/loadavg', 'utf8').split(' ').map(Number);
    return a === undefined || b === undefined || c === undefined ? undefined : [a, b, c];
  } catch {
    return undefined;
  }
}

/**
 * "load 1/5/15 min: 3.1 2.4 1.9 on 2 CPUs — HIGH" for the start of every benchmark's output: the
 * machine is shared, and a result measured beside other work must say so.
 */
export function describeLoad(cpus: number): { text: string; loadAverage?: number[]; high: boolean } {
  const load = loadAverage();
  if (!load) return { text: 'load average unavailable', high: false };
  // More runnable work than cores means this benchmark competed for the CPU.
  const high = load[0] > cpus * 0.75;
  return {
    text: `load average (1/5/15 min) ${load.join(' ')} on ${cpus} CPU(s)${high ? ' — HIGH: other work was competing for the CPU' : ''}`,
    loadAverage: load,
    high,
  };
}

/**
 * CPU time of one thread of this process (the main thread by default), in milliseconds, from
 * `/proc/self/task/<tid>/schedstat` (nanoseconds; falls back to `stat`'s clock ticks). Together
 * with `process.cpuUsage()`, which on Linux counts every thread of the process (inference workers,
 * ONNX Runtime's and libuv's pools included), it splits CPU into main thread and the rest.
 */
export function threadCpuMs(tid: number = process.pid): number | undefined {
  try {
    const runtime = Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    if (Number.isFinite(runtime)) return runtime / 1e6;
  } catch {
    // schedstat needs CONFIG_SCHED_INFO; stat is always there.
  }
  try {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond();
  } catch {
    return undefined;
  }
}

/** CPU time of the whole process (all threads) so far, in milliseconds. */
export function processCpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Wall time, process CPU and main-thread CPU of an interval, in milliseconds. */
export interface Interval {
  wallMs: number;
  cpuMs: number;
  mainCpuMs: number;
}

/** Starts measuring an interval; the returned function ends it. */
export function startInterval(): () => Interval {
  const wall = process.hrtime.bigint();
  const cpu = processCpuMs();
  const main = threadCpuMs() ?? Number.NaN;
  return () => ({
    wallMs: Number(process.hrtime.bigint() - wall) / 1e6,
    cpuMs: processCpuMs() - cpu,
    mainCpuMs: (threadCpuMs() ?? Number.NaN) - main,
  });
}

/**
 * Memory of every process named `name` on this machine (a local PostgreSQL's postmaster and
 * backends): the sum of their PSS, which shares shared_buffers out among them instead of counting
 * it once per backend, and the largest single RSS. Undefined when none is visible (a remote
 * server) or /proc's smaps_rollup cannot be read (another user's processes without root).
 */
export function processGroupMemory(
  name: string,
): { processes: number; pssMiB: number; maxRssMiB: number } | undefined {
  let processes = 0;
  let pssKb = 0;
  let maxRssKb = 0;
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((entry) => /^\d+$/.test(entry));
  } catch {
    return undefined;
  }
  for (const pid of entries) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== name) continue;
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      const pss = /^Pss:\s+(\d+) kB/m.exec(rollup);
      const rss = /^Rss:\s+(\d+) kB/m.exec(rollup);
      if (!pss || !rss) continue;
      processes++;
      pssKb += Number(pss[1]);
      maxRssKb = Math.max(maxRssKb, Number(rss[1]));
    } catch {
      // gone, or not ours to read
    }
  }
  return processes > 0 ? { processes, pssMiB: pssKb / 1024, maxRssMiB: maxRssKb / 1024 } : undefined;
}
