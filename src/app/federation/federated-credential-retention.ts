import type { Clock, Logger } from '../ports.js';
import type { FederatedCredentialStore } from './federation-ports.js';

/** Expired minted credentials stay listed this long (for `regauth federated-credentials list`); the audit trail keeps the rest. */
export const EXPIRED_CREDENTIALS_KEPT_MS = 86_400_000;

export interface FederatedCredentialRetentionDeps {
  readonly store: FederatedCredentialStore;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Rows one DELETE removes: small, so no statement holds locks or the embedded store for long. */
  readonly batchSize?: number;
  readonly maxBatchesPerRun?: number;
}

export interface PrunedFederationRows {
  readonly identityTokenUses: number;
  readonly credentials: number;
}

/**
 * Deletes identity-token uses whose token is past its exp plus leeway (the token itself is refused from then
 * on, so its jti needs no guarding) and credentials a day past their expiry, a small batch at a time.
 */
export class FederatedCredentialRetention {
  private timer: ReturnType<typeof setInterval> | null = null;
  private running: Promise<unknown> | null = null;

  constructor(private readonly deps: FederatedCredentialRetentionDeps) {}

  async prune(): Promise<PrunedFederationRows> {
    const { store, clock } = this.deps;
    const now = clock.now();
    // Uses first: a credential is kept while a use still names it.
    const identityTokenUses = await this.inBatches((limit) => store.deleteExpiredUses(now, limit));
    const cutoff = new Date(now.getTime() - EXPIRED_CREDENTIALS_KEPT_MS);
    const credentials = await this.inBatches((limit) => store.deleteExpiredCredentials(cutoff, limit));
    return { identityTokenUses, credentials };
  }

  /** Prunes now and every `intervalMs`; a failed run is logged and tried again at the next. */
  start(intervalMs: number): void {
    if (this.timer !== null) return;
    const run = (): void => {
      if (this.running !== null) return;
      this.running = this.prune()
        .then((pruned) => {
          if (pruned.identityTokenUses + pruned.credentials > 0) this.deps.logger.info('pruned expired minted credentials', { ...pruned });
        })
        .catch((error: unknown) => {
          this.deps.logger.warn('could not prune expired minted credentials', { error: String(error) });
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

  private async inBatches(deleteBatch: (limit: number) => Promise<number>): Promise<number> {
    const { batchSize = 1_000, maxBatchesPerRun = 100 } = this.deps;
    let total = 0;
    for (let batch = 0; batch < maxBatchesPerRun; batch += 1) {
      const deleted = await deleteBatch(batchSize);
      total += deleted;
      if (deleted < batchSize) break;
      // Between batches, let token requests waiting for the database go first.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return total;
  }
}
