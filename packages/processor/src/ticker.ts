/**
 * Runs `work` every `everyMs` until stopped, never two runs at once: the next tick is scheduled when
 * the previous run ended, so a slow run delays the next instead of overlapping it. A run that throws
 * is the caller's to log; the ticker goes on.
 */
export class Ticker {
  readonly #everyMs: number;
  readonly #work: () => Promise<void>;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(everyMs: number, work: () => Promise<void>) {
    this.#everyMs = everyMs;
    this.#work = work;
  }

  start(): void {
    this.#schedule();
  }

  /** Runs now (or joins the run in progress), then keeps the rhythm. */
  async runNow(): Promise<void> {
    if (this.#running) return this.#running;
    clearTimeout(this.#timer);
    this.#running = this.#work()
      .catch(() => {})
      .finally(() => {
        this.#running = undefined;
        this.#schedule();
      });
    return this.#running;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  #schedule(): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.runNow(), this.#everyMs);
  }
}
