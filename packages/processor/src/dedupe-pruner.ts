import type { Kysely } from 'kysely';
import { pruneEventIds } from './dedupe-store.ts';
import type { Logger } from './logger.ts';
import { Ticker } from './ticker.ts';

/** Deletes dedupe records older than the dedupe window: at start, then hourly. */
export class DedupePruner {
  readonly #ticker: Ticker;

  constructor(db: Kysely<unknown>, windowHours: number, logger: Logger) {
    this.#ticker = new Ticker(3_600_000, async () => {
      try {
        const pruned = await pruneEventIds(db, windowHours);
        if (pruned > 0) logger.info({ pruned }, 'pruned dedupe records older than the dedupe window');
      } catch (error) {
        logger.warn({ err: error }, 'dedupe pruning failed');
      }
    });
  }

  start(): void {
    void this.#ticker.runNow();
  }

  stop(): Promise<void> {
    return this.#ticker.stop();
  }
}
