import type { Logger } from './ports.js';

export interface PeriodicBatchOptions<T> {
  readonly write: (items: readonly T[]) => Promise<void>;
  readonly logger: Logger;
  /** What the items are, for log lines. */
  readonly what: string;
  /** Items held at most; beyond it the oldest are dropped (and logged) rather than grow without bound. */
  readonly capacity: number;
  /** Keep items whose write failed, to try again at the next flush. */
  readonly retryFailed: boolean;
}

/** Collects items and writes them together when flushed, so the hot path never waits for the database. */
export class PeriodicBatch<T> {
  private items: T[] = [];
  private flushing: Promise<void> | null = null;

  constructor(private readonly options: PeriodicBatchOptions<T>) {}

  get size(): number {
    return this.items.length;
  }

  add(item: T): void {
    this.items.push(item);
    const excess = this.items.length - this.options.capacity;
    if (excess > 0) {
      this.items.splice(0, excess);
      this.options.logger.error(`dropped ${this.options.what}: too many waiting to be written`, { dropped: excess });
    }
  }

  /** Writes what has been collected; one flush runs at a time. */
  flush(): Promise<void> {
    this.flushing ??= this.writeAll().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async writeAll(): Promise<void> {
    while (this.items.length > 0) {
      const batch = this.items;
      this.items = [];
      try {
        await this.options.write(batch);
      } catch (error) {
        this.options.logger.warn(`could not write ${this.options.what}`, { count: batch.length, error: String(error) });
        if (this.options.retryFailed) this.items = [...batch, ...this.items].slice(-this.options.capacity);
        return;
      }
    }
  }
}
