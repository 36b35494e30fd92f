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
  /** Bytes held at most, as `sizeOf` counts them; beyond it the oldest are dropped too. */
  readonly capacityBytes?: { readonly bytes: number; readonly sizeOf: (item: T) => number };
}

/** Collects items and writes them together when flushed, so the hot path never waits for the database. */
export class PeriodicBatch<T> {
  private items: T[] = [];
  /** The bytes of `items`, when a byte capacity is set. */
  private bytes = 0;
  private flushing: Promise<void> | null = null;

  constructor(private readonly options: PeriodicBatchOptions<T>) {}

  get size(): number {
    return this.items.length;
  }

  add(item: T): void {
    this.items.push(item);
    this.bytes += this.sizeOf(item);
    const dropped = this.dropOldestBeyondCapacity();
    if (dropped > 0) this.options.logger.error(`dropped ${this.options.what}: too many waiting to be written`, { dropped });
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
      this.bytes = 0;
      try {
        await this.options.write(batch);
      } catch (error) {
        this.options.logger.warn(`could not write ${this.options.what}`, { count: batch.length, error: String(error) });
        if (this.options.retryFailed) {
          this.items = [...batch, ...this.items];
          this.bytes = this.items.reduce((total, item) => total + this.sizeOf(item), 0);
          this.dropOldestBeyondCapacity();
        }
        return;
      }
    }
  }

  /** Returns how many were dropped; the newest item is always kept. */
  private dropOldestBeyondCapacity(): number {
    const byteLimit = this.options.capacityBytes?.bytes ?? Infinity;
    let excess = Math.max(0, this.items.length - this.options.capacity);
    for (const dropped of this.items.slice(0, excess)) this.bytes -= this.sizeOf(dropped);
    while (this.bytes > byteLimit && excess < this.items.length - 1) {
      this.bytes -= this.sizeOf(this.items[excess] as T);
      excess += 1;
    }
    this.items.splice(0, excess);
    return excess;
  }

  private sizeOf(item: T): number {
    return this.options.capacityBytes?.sizeOf(item) ?? 0;
  }
}
