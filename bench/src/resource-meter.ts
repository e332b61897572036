import { readFileSync } from 'node:fs';

/** Busy CPU seconds of the whole machine so far (all processes: ours, Postgres, Kafka, others); null off Linux. */
export function machineBusySeconds(): number | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      ?.trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    if (!fields || fields.length < 5) return null;
    // user nice system idle iowait irq softirq steal …: busy = all but idle and iowait.
    const ticks = fields.slice(0, 8).reduce((a, b) => a + b, 0) - (fields[3] ?? 0) - (fields[4] ?? 0);
    return ticks / 100; // USER_HZ
  } catch {
    return null;
  }
}

/**
 * CPU and memory of this process over a measured window. CPU is `process.cpuUsage()` (user + system)
 * between `start()` and `stop()`; memory is the kernel's peak RSS of the whole process
 * (`resourceUsage().maxRSS`, so start-up counts too) and the RSS sampled every 100 ms in the window.
 */
export class ResourceMeter {
  #startedAt: number | undefined;
  #cpu: NodeJS.CpuUsage | undefined;
  #machineBusy: number | null = null;
  #sampledPeak = 0;
  #timer: NodeJS.Timeout | undefined;

  get started(): boolean {
    return this.#startedAt !== undefined;
  }

  /** `performance.now()` at `start()`. */
  get startedAt(): number | undefined {
    return this.#startedAt;
  }

  start(): void {
    if (this.#startedAt !== undefined) return;
    this.#startedAt = performance.now();
    this.#cpu = process.cpuUsage();
    this.#machineBusy = machineBusySeconds();
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), 100);
    this.#timer.unref();
  }

  stop(): {
    seconds: number;
    cpuSeconds: number;
    machineCpuSeconds: number | null;
    peakRssMb: number;
    sampledPeakRssMb: number;
  } {
    if (this.#timer) clearInterval(this.#timer);
    this.#sample();
    const startedAt = this.#startedAt ?? performance.now();
    const cpu = process.cpuUsage(this.#cpu);
    return {
      seconds: (performance.now() - startedAt) / 1000,
      cpuSeconds: this.#cpu ? (cpu.user + cpu.system) / 1e6 : 0,
      machineCpuSeconds: (() => {
        const now = machineBusySeconds();
        return now === null || this.#machineBusy === null ? null : now - this.#machineBusy;
      })(),
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      sampledPeakRssMb: this.#sampledPeak / 1024 / 1024,
    };
  }

  #sample(): void {
    this.#sampledPeak = Math.max(this.#sampledPeak, process.memoryUsage.rss());
  }
}
