import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

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

  constructor(private readonly pid: number) {
    this.startCpu = cpuSeconds(pid);
  }

  percentOfOneCore(): number {
    const end = cpuSeconds(this.pid);
    const wall = Number(process.hrtime.bigint() - this.startWall) / 1e9;
    if (end === undefined || this.startCpu === undefined || wall <= 0) return Number.NaN;
    return (100 * (end - this.startCpu)) / wall;
  }
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
