import type { DeployToken } from '../core/deploy-token.js';
import { PeriodicBatch } from './periodic-batch.js';
import type { DeployTokenStore, DeployTokenUse, Logger } from './ports.js';

/** last_used_at is a hint for operators: a minute's resolution is enough when the address stays the same. */
const RESOLUTION_MS = 60_000;
const CAPACITY = 100_000;

/**
 * Keeps when and from where each deploy token was last used, and writes them in one statement per flush
 * rather than one write per token request.
 */
export class DeployTokenUseRecorder {
  private readonly batch: PeriodicBatch<DeployTokenUse>;
  private readonly latest = new Map<number, DeployTokenUse>();

  constructor(store: DeployTokenStore, logger: Logger) {
    this.batch = new PeriodicBatch({
      write: (uses) => store.recordUses(uses),
      logger,
      what: 'deploy-token last-use times',
      capacity: CAPACITY,
      retryFailed: false,
    });
  }

  record(token: DeployToken, at: Date, clientIp: string | null): void {
    const last = this.latest.get(token.id) ?? { id: token.id, at: token.lastUsedAt ?? new Date(0), clientIp: token.lastUsedIp };
    if (last.clientIp === clientIp && at.getTime() - last.at.getTime() < RESOLUTION_MS) return;
    const use = { id: token.id, at, clientIp };
    if (this.latest.size >= CAPACITY) this.latest.clear();
    this.latest.set(token.id, use);
    this.batch.add(use);
  }

  flush(): Promise<void> {
    return this.batch.flush();
  }
}
