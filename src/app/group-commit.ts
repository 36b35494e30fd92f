import { OverloadedError } from './errors.js';

export interface GroupCommitOptions<T> {
  /** Writes one batch; resolves once it is committed. */
  readonly write: (items: readonly T[]) => Promise<void>;
  /**
   * How long the first waiting item waits for others to share its write; 0: until the event loop's next turn,
   * so only items of the same turn join it at low load, and those arriving while a write runs share the next.
   */
  readonly delayMs: number;
  /** Items in one write; this many waiting start a write at once. */
  readonly maxBatch: number;
  /** Items waiting or being written at most; past it, `commit` fails at once with OverloadedError. */
  readonly maxWaiting: number;
  /** The same bound in bytes, as `sizeOf` counts them. */
  readonly maxWaitingBytes: number;
  readonly sizeOf: (item: T) => number;
  /** What the items are, for the OverloadedError. */
  readonly what: string;
}

interface Waiter<T> {
  readonly item: T;
  readonly size: number;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: `commit` resolves when the write holding its item has committed, and items committed close
 * together share one write. A write starts `delayMs` after the first item waits (0: at the next turn of the
 * event loop), when `maxBatch` wait, or as soon as the write before it ends with items waiting; one write
 * runs at a time. A failed write rejects every item in it. What waits is bounded by count and bytes, so a
 * slow database gives fast refusals, not a queue.
 */
export class GroupCommit<T> {
  private waiting: Waiter<T>[] = [];
  private pendingCount = 0;
  private pendingBytes = 0;
  private timer: { cancel(): void } | null = null;
  private writing: Promise<void> | null = null;

  constructor(private readonly options: GroupCommitOptions<T>) {}

  /** Items waiting or being written. */
  get pending(): number {
    return this.pendingCount;
  }

  commit(item: T): Promise<void> {
    const size = this.options.sizeOf(item);
    if (this.pendingCount + 1 > this.options.maxWaiting || this.pendingBytes + size > this.options.maxWaitingBytes) {
      return Promise.reject(new OverloadedError(this.options.what));
    }
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ item, size, resolve, reject });
      this.pendingCount += 1;
      this.pendingBytes += size;
      if (this.writing !== null) return;
      if (this.waiting.length >= this.options.maxBatch) this.startWrite();
      else this.timer ??= this.schedule(() => this.startWrite());
    });
  }

  /** Resolves once everything committed before the call has been written (or has failed). */
  async flush(): Promise<void> {
    while (this.writing !== null || this.waiting.length > 0) {
      if (this.writing === null) this.startWrite();
      await this.writing;
    }
  }

  private schedule(work: () => void): { cancel(): void } {
    if (this.options.delayMs === 0) {
      const immediate = setImmediate(work);
      return { cancel: () => clearImmediate(immediate) };
    }
    const timeout = setTimeout(work, this.options.delayMs);
    return { cancel: () => clearTimeout(timeout) };
  }

  private startWrite(): void {
    if (this.timer !== null) {
      this.timer.cancel();
      this.timer = null;
    }
    if (this.writing !== null || this.waiting.length === 0) return;
    const batch = this.waiting.slice(0, this.options.maxBatch);
    this.waiting = this.waiting.slice(batch.length);
    this.writing = this.writeBatch(batch).finally(() => {
      this.writing = null;
      // These waited for the write before theirs: they go now rather than wait out another delay.
      if (this.waiting.length > 0) this.startWrite();
    });
  }

  private async writeBatch(batch: readonly Waiter<T>[]): Promise<void> {
    try {
      await this.options.write(batch.map((waiter) => waiter.item));
      for (const waiter of batch) waiter.resolve();
    } catch (error) {
      for (const waiter of batch) waiter.reject(error);
    } finally {
      this.pendingCount -= batch.length;
      this.pendingBytes -= batch.reduce((total, waiter) => total + waiter.size, 0);
    }
  }
}
