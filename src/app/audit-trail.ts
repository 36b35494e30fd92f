import { PeriodicBatch } from './periodic-batch.js';
import type { AuditEvent, AuditLog, Logger } from './ports.js';

const CAPACITY = 50_000;

/** Told of every event as it is recorded (metrics); must not throw or block. */
export type AuditObserver = (event: AuditEvent) => void;

/**
 * Every audit event goes to the structured log at once and to the audit table in batches: token requests
 * must not wait for a database write. Events whose write fails are kept and written at the next flush.
 */
export class AuditTrail {
  private readonly batch: PeriodicBatch<AuditEvent>;

  constructor(
    log: AuditLog,
    private readonly logger: Logger,
    private readonly observers: readonly AuditObserver[] = [],
  ) {
    this.batch = new PeriodicBatch({
      write: (events) => log.record(events),
      logger,
      what: 'audit events',
      capacity: CAPACITY,
      retryFailed: true,
    });
  }

  record(event: AuditEvent): void {
    const level = event.event === 'auth.failed' ? 'warn' : 'info';
    this.logger[level]('audit', {
      event: event.event,
      actor: event.actor,
      tokenId: event.deployTokenId,
      username: event.username,
      clientIp: event.clientIp,
      ...event.details,
    });
    this.batch.add(event);
    for (const observe of this.observers) {
      try {
        observe(event);
      } catch (error) {
        // An observer is a side channel: its failure must never fail the request that produced the event.
        this.logger.error('audit observer failed', { event: event.event, error: String(error) });
      }
    }
  }

  flush(): Promise<void> {
    return this.batch.flush();
  }
}
