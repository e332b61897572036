// What the kernel says about one process: resident memory now and at its peak, and CPU used.
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessMemory {
  /** VmRSS: resident now. */
  rssMb: number;
  /** VmHWM: the highest resident size the process ever had. */
  peakRssMb: number;
  /** RssAnon (heap, stacks, WebAssembly) and RssFile (mapped files: Node's own binary, mostly). */
  anonMb: number;
  fileMb: number;
  /** utime + stime. */
  cpuSeconds: number;
}

const ticksPerSecond = 100;
const mb = (kb: number) => Math.round((kb / 1024) * 10) / 10;

/** Undefined when the process is gone. */
export function readProcessMemory(pid: number): ProcessMemory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    // Fields after the command name (which may hold spaces), counted from its closing parenthesis.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuTicks = Number(fields[11]) + Number(fields[12]);
    return {
      rssMb: mb(kb('VmRSS')),
      peakRssMb: mb(kb('VmHWM')),
      anonMb: mb(kb('RssAnon')),
      fileMb: mb(kb('RssFile')),
      cpuSeconds: cpuTicks / ticksPerSecond,
    };
  } catch {
    return undefined;
  }
}

/** The direct children of a process. */
export function childPids(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
      readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/** `services/<name>/…` or `console/…` in a process' command line: which part of the fleet it is. */
export function fleetProcessName(pid: number): string | undefined {
  try {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    for (const arg of args) {
      const match = /(?:^|\/)services\/([a-z-]+)\/(?:src|dist)\/main\.[jt]s$/.exec(arg);
      if (match?.[1]) return match[1];
      if (/(?:^|\/)console\/(?:src|dist)\/main\.[jt]s$/.test(arg)) return 'console';
    }
  } catch {}
  return undefined;
}

/** Ended, by an exit code or a signal (a V8 out-of-memory abort leaves exitCode null). */
export function hasEnded(child: ChildProcess | undefined): boolean {
  return !child || child.exitCode !== null || child.signalCode !== null;
}
