import { Logger, type LoggerService } from '@nestjs/common';
import { execFileSync } from 'node:child_process';
import os from 'node:os';

/**
 * Output conventions shared by the benchmarks: progress and logs on stderr, a human table on
 * stdout, and exactly one JSON object as the last stdout line, so `... | tail -n1 | jq` works.
 */

/** Nest's default logger writes `log` lines to stdout; benchmarks keep stdout for results. */
class StderrLogger implements LoggerService {
  log(message: unknown) {
    process.stderr.write(`[nest] ${String(message)}\n`);
  }
  error(message: unknown) {
    process.stderr.write(`[nest:error] ${String(message)}\n`);
  }
  warn(message: unknown) {
    process.stderr.write(`[nest:warn] ${String(message)}\n`);
  }
}

export function routeLogsToStderr(): void {
  Logger.overrideLogger(new StderrLogger());
}

export function info(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** A progress reporter that prints at most every `intervalMs`, and always on the last item. */
export function progress(label: string, total: number, intervalMs = 3000) {
  const started = Date.now();
  let last = 0;
  return (done: number, extra = '') => {
    const now = Date.now();
    if (done < total && now - last < intervalMs) return;
    last = now;
    const elapsed = (now - started) / 1000;
    const rate = done / Math.max(elapsed, 1e-3);
    const eta = rate > 0 ? (total - done) / rate : 0;
    info(
      `[${label}] ${done}/${total} (${((100 * done) / Math.max(total, 1)).toFixed(1)}%) ` +
        `${elapsed.toFixed(0)} s elapsed, ~${eta.toFixed(0)} s left${extra ? ` — ${extra}` : ''}`,
    );
  };
}

export type Cell = string | number;

/** A plain-text table with right-aligned numeric columns. */
export function formatTable(headers: string[], rows: Cell[][]): string {
  const text = rows.map((row) => row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : cell)));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.every((r) => typeof r[i] === 'number'));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...text.map(line)].join('\n');
}

function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Number.isInteger(n) ? String(n) : String(Math.round(n * 1000) / 1000);
}

export function printTable(title: string, headers: string[], rows: Cell[][]): void {
  process.stdout.write(`\n${title}\n${formatTable(headers, rows)}\n`);
}

/** The one machine-readable line; must be the last thing written to stdout. */
export function printJson(result: object): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  date: string;
  /** 1/5/15-minute load averages when the report was written: other work on the machine skews timings. */
  loadAverage: number[];
}

export function machineInfo(): MachineInfo {
  let cpuModel = os.cpus()[0]?.model ?? 'unknown';
  try {
    const lscpu = execFileSync('lscpu', { encoding: 'utf8' });
    cpuModel = /^Model name:\s*(.+)$/m.exec(lscpu)?.[1]?.trim() ?? cpuModel;
  } catch {
    // lscpu is missing on some systems; os.cpus() is good enough there.
  }
  return {
    cpus: os.availableParallelism(),
    cpuModel,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    date: new Date().toISOString(),
    loadAverage: os.loadavg().map((l) => Math.round(l * 100) / 100),
  };
}

/** Peak resident set size of this process so far, in MiB (`maxRSS` is reported in KiB). */
export function peakRssMiB(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}
