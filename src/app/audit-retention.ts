import type { AuditLog, Clock, Logger } from './ports.js';

const DAY_MS = 86_400_000;

export interface AuditRetentionDeps {
  readonly auditLog: AuditLog;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Events older than this many days are deleted; 0 keeps them forever. */
  readonly retentionDays: number;
  /** Rows one DELETE removes: small, so no statement holds locks or the embedded store for long. */
  readonly batchSize?: number;
  /** DELETEs one run makes at most; the rest waits for the next run. */
  readonly maxBatchesPerRun?: number;
}

/** Deletes audit events past `audit.retentionDays`, a small batch at a time, now and then. */
export class AuditRetention {
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<number> | null = null;

  constructor(private readonly deps: AuditRetentionDeps) {}

  /** Deletes what is past the retention (up to maxBatchesPerRun batches); returns how many events. */
  async prune(): Promise<number> {
    const { auditLog, clock, retentionDays, batchSize = 1_000, maxBatchesPerRun = 1_000 } = this.deps;
    if (retentionDays === 0) return 0;
    const cutoff = new Date(clock.now().getTime() - retentionDays * DAY_MS);
    let total = 0;
    for (let batch = 0; batch < maxBatchesPerRun; batch += 1) {
      const deleted = await auditLog.deleteOlderThan(cutoff, batchSize);
      total += deleted;
      if (deleted < batchSize) break;
      // Between batches, let token requests waiting for the database go first.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return total;
  }

  /** Prunes now and every `intervalMs`; a failed run is logged and tried again at the next. */
  start(intervalMs: number): void {
    if (this.deps.retentionDays === 0 || this.timer !== null) return;
    const run = (): void => {
      if (this.running !== null) return;
      this.running = this.prune()
        .then((deleted) => {
          if (deleted > 0) this.deps.logger.info('pruned the audit log', { deleted, retentionDays: this.deps.retentionDays });
          return deleted;
        })
        .catch((error: unknown) => {
          this.deps.logger.warn('could not prune the audit log', { error: String(error) });
          return 0;
        })
        .finally(() => {
          this.running = null;
        });
    };
    this.timer = setInterval(run, intervalMs);
    this.timer.unref();
    run();
  }

  /** Stops the timer and waits for a run under way. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
