import { readFile } from 'node:fs/promises';

/** Memory and CPU time of a process on this host, as Linux's /proc tells them. */
export interface ProcStats {
  rssBytes: number;
  cpuSeconds: number;
  /** When the process started, in clock ticks after boot: tells a reused pid from the same process. */
  startTicks: number;
}

/** Linux's USER_HZ: the unit of the times in /proc/<pid>/stat (100 on every mainstream platform). */
const CLOCK_TICKS = 100;

/** Parses /proc/<pid>/stat and the VmRSS line of /proc/<pid>/status. */
export function parseProcStats(stat: string, status: string): ProcStats | undefined {
  // The command name (field 2) is in parentheses and may hold spaces: fields count from the last ')'.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): utime is field 14, stime 15, starttime 22.
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  const start = Number(rest[19]);
  const rssKb = Number(status.match(/^VmRSS:\s+(\d+)\s+kB/m)?.[1]);
  if (![utime, stime, start, rssKb].every(Number.isFinite)) return undefined;
  return { rssBytes: rssKb * 1024, cpuSeconds: (utime + stime) / CLOCK_TICKS, startTicks: start };
}

/** The stats of a local process, or undefined when there is no such process (or no /proc). */
export async function readProcStats(pid: number): Promise<ProcStats | undefined> {
  try {
    const [stat, status] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile(`/proc/${pid}/status`, 'utf8'),
    ]);
    return parseProcStats(stat, status);
  } catch {
    return undefined;
  }
}
