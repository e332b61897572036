/**
 * CPU and memory of this process over a measured window. CPU is `process.cpuUsage()` (user + system)
 * between `start()` and `stop()`; memory is the kernel's peak RSS of the whole process
 * (`resourceUsage().maxRSS`, so start-up counts too) and the RSS sampled every 100 ms in the window.
 */
export class ResourceMeter {
  #startedAt: number | undefined;
  #cpu: NodeJS.CpuUsage | undefined;
  #sampledPeak = 0;
  #timer: NodeJS.Timeout | undefined;

  get started(): boolean {
    return this.#startedAt !== undefined;
  }

  start(): void {
    if (this.#startedAt !== undefined) return;
    this.#startedAt = performance.now();
    this.#cpu = process.cpuUsage();
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), 100);
    this.#timer.unref();
  }

  stop(): { seconds: number; cpuSeconds: number; peakRssMb: number; sampledPeakRssMb: number } {
    if (this.#timer) clearInterval(this.#timer);
    this.#sample();
    const startedAt = this.#startedAt ?? performance.now();
    const cpu = process.cpuUsage(this.#cpu);
    return {
      seconds: (performance.now() - startedAt) / 1000,
      cpuSeconds: this.#cpu ? (cpu.user + cpu.system) / 1e6 : 0,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      sampledPeakRssMb: this.#sampledPeak / 1024 / 1024,
    };
  }

  #sample(): void {
    this.#sampledPeak = Math.max(this.#sampledPeak, process.memoryUsage.rss());
  }
}
