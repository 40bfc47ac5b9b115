/**
 * Resource use of another process, read from Linux `/proc`: resident memory and CPU time.
 * The benchmark measures the server and the load generator from outside, so that neither
 * has to report on itself (and the server stays unmodified).
 */
import { readFileSync } from 'node:fs';

/** Clock ticks per second of `/proc/<pid>/stat` times (`getconf CLK_TCK`: 100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

/** One reading of a process's resources. */
export interface ProcSample {
  /** When it was taken, ms (`performance.now()` of the reading process). */
  at: number;
  /** Resident set size, bytes. */
  rssBytes: number;
  /** User + system CPU time since the process started, ms (10 ms granularity). */
  cpuMs: number;
  /**
   * Time its main thread (the event loop) was ready to run but waited for a core, ms
   * (`/proc/<pid>/schedstat`; 0 where the kernel does not keep it): a process short of
   * CPU because others took it, rather than slow by its own cost.
   */
  runQueueMs: number;
}

/** Reads `/proc/<pid>`; throws a clear error when the process is gone. */
export function sampleProcess(pid: number): ProcSample {
  let status: string;
  let stat: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    throw new Error(`cannot read /proc/${pid} (has the process exited?)`, { cause: error });
  }
  const rssKb = /^VmRSS:\s+(\d+) kB/m.exec(status)?.[1];
  // Fields after the command name (which may contain spaces) start after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat(5), i.e. 11 and 12 after the state field.
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  let runQueueMs = 0;
  try {
    // "<ns on cpu> <ns waiting on a run queue> <timeslices>"
    runQueueMs = Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[1]) / 1e6 || 0;
  } catch {
    // No schedstat (kernel without CONFIG_SCHED_INFO): leave 0.
  }
  return {
    at: performance.now(),
    rssBytes: rssKb === undefined ? 0 : Number(rssKb) * 1024,
    cpuMs: ((utime + stime) * 1000) / CLOCK_TICKS_PER_SECOND,
    runQueueMs,
  };
}

/** CPU used between two samples, as a share of one core (1 = one core fully busy). */
export function coresUsed(from: ProcSample, to: ProcSample): number {
  const wall = to.at - from.at;
  return wall > 0 ? (to.cpuMs - from.cpuMs) / wall : 0;
}

/** Share of the time between two samples that the process's main thread waited for a core (0–1). */
export function runQueueShare(from: ProcSample, to: ProcSample): number {
  const wall = to.at - from.at;
  return wall > 0 ? Math.max(0, (to.runQueueMs - from.runQueueMs) / wall) : 0;
}

/** Samples a process every `intervalMs` and keeps the peak and the last reading. */
export class ProcMonitor {
  private timer: ReturnType<typeof setInterval> | null = null;
  /** Highest RSS seen, bytes. */
  peakRssBytes = 0;
  last: ProcSample;

  constructor(
    private readonly pid: number,
    intervalMs = 250,
  ) {
    this.last = sampleProcess(pid);
    this.peakRssBytes = this.last.rssBytes;
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  /** Takes a reading now (also updates the peak). */
  sample(): ProcSample {
    try {
      this.last = sampleProcess(this.pid);
      if (this.last.rssBytes > this.peakRssBytes) this.peakRssBytes = this.last.rssBytes;
    } catch {
      // The process exited; keep the last reading.
      this.stop();
    }
    return this.last;
  }

  /** Restarts the peak from the current reading. */
  resetPeak(): void {
    this.peakRssBytes = this.sample().rssBytes;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** Busy and total CPU time of the whole machine, from `/proc/stat`. */
export interface SystemCpuSample {
  at: number;
  /** CPU time spent busy (user, nice, system, irq, softirq, steal), ms summed over cores. */
  busyMs: number;
}

/** Reads the machine's CPU counters. */
export function sampleSystemCpu(): SystemCpuSample {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const [, user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  const busy = (user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0);
  return { at: performance.now(), busyMs: (busy * 1000) / CLOCK_TICKS_PER_SECOND };
}
