import { PeriodicBatch } from '../periodic-batch.js';
import type { Logger } from '../ports.js';
import type { FederatedCredential, FederatedCredentialStore, FederatedCredentialUse } from './federation-ports.js';

/** last_used_at is a hint for operators: a minute's resolution is enough. */
const RESOLUTION_MS = 60_000;
const CAPACITY = 100_000;

/** Keeps when each minted credential was last used, written in one statement per flush. */
export class FederatedCredentialUseRecorder {
  private readonly batch: PeriodicBatch<FederatedCredentialUse>;
  private readonly latest = new Map<number, Date>();

  constructor(store: FederatedCredentialStore, logger: Logger) {
    this.batch = new PeriodicBatch({
      write: (uses) => store.recordUses(uses),
      logger,
      what: 'minted-credential last-use times',
      capacity: CAPACITY,
      retryFailed: false,
    });
  }

  record(credential: FederatedCredential, at: Date): void {
    const last = this.latest.get(credential.id) ?? credential.lastUsedAt ?? new Date(0);
    if (at.getTime() - last.getTime() < RESOLUTION_MS) return;
    if (this.latest.size >= CAPACITY) this.latest.clear();
    this.latest.set(credential.id, at);
    this.batch.add({ id: credential.id, at });
  }

  flush(): Promise<void> {
    return this.batch.flush();
  }
}
