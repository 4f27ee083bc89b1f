// CPU time and memory of processes, read from /proc (Linux) by the bench itself: the node's
// `serve` processes and the floor's are measured the same way, from outside, and neither has to
// report on itself.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const ticksPerSecond = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User plus system CPU time the process has used so far, in ms (its threads included). */
export function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Field 2 (the command name) may hold spaces: count from the parenthesis that closes it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14, stime field 15.
  return ((Number(fields[11]) + Number(fields[12])) * 1_000) / ticksPerSecond;
}

/** Resident memory now and at its peak (VmRSS, VmHWM), in MB. */
export function memoryMbOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** The processes whose command line (its arguments, in order) satisfies `matches`. */
export function pidsWhere(matches: (argv: string[]) => boolean): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
      if (matches(argv)) pids.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

/** Every `referral-node serve` process running on the data folder `dataDir`. */
export function servePidsOf(dataDir: string): number[] {
  return pidsWhere((argv) => argv.includes('serve') && argv.some((a, i) => a === '--data' && argv[i + 1] === dataDir));
}

/** CPU used by `pids` (together) since the meter was made, in ms. */
export function cpuMeter(pids: readonly number[]): { ms(): number } {
  const start = pids.reduce((sum, pid) => sum + cpuMsOf(pid), 0);
  return { ms: () => pids.reduce((sum, pid) => sum + cpuMsOf(pid), 0) - start };
}

/** Bytes the process has caused to be written to storage (`write_bytes` of /proc/<pid>/io): its database pages, WAL and checkpoints. */
function writtenBytesOf(pid: number): number {
  const match = /^write_bytes: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
  return match ? Number(match[1]) : 0;
}

/** Bytes written to storage by these processes since the meter was made. */
export function writeMeter(pids: readonly number[]): { bytes(): number } {
  const start = pids.reduce((sum, pid) => sum + writtenBytesOf(pid), 0);
  return { bytes: () => pids.reduce((sum, pid) => sum + writtenBytesOf(pid), 0) - start };
}

/** The main thread's (the event loop's) time on a core and waiting in the run queue for one, ms. */
function scheduledMsOf(pid: number): { running: number; waiting: number } {
  const [running, waiting] = readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
  return { running: running! / 1e6, waiting: waiting! / 1e6 };
}

/** Shares of wall time an event loop spent on a core, waiting for one (the machine was busy), and idle. */
export interface LoopShares {
  running: number;
  waiting: number;
  idle: number;
}

/**
 * How `pid`'s main thread spent the wall time since the meter was made: a loop mostly idle while
 * work waits is held up by something else than CPU; one mostly waiting shows a loaded machine.
 */
export function loopMeter(pid: number): { shares(): LoopShares } {
  const start = scheduledMsOf(pid);
  const began = performance.now();
  return {
    shares() {
      const now = scheduledMsOf(pid);
      const wall = performance.now() - began;
      const running = (now.running - start.running) / wall;
      const waiting = (now.waiting - start.waiting) / wall;
      return { running, waiting, idle: Math.max(0, 1 - running - waiting) };
    },
  };
}
