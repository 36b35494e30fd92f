import { boundAuditDetails, boundAuditText } from '../core/audit-bounds.js';
import { GroupCommit } from './group-commit.js';
import { PeriodicBatch } from './periodic-batch.js';
import type { AuditEvent, AuditLog, Logger } from './ports.js';
import { unavailableOnFailure } from './unavailable.js';

/** Batched events held at most, by count and by bytes; beyond it the oldest are dropped (and logged). */
const BATCHED_CAPACITY = 50_000;
const WAITING_BYTES = 8 * 1024 * 1024;
/** Durable events waiting or being written at most, in batches of `maxBatch`; past it, 503 at once. */
const DURABLE_BATCHES_WAITING = 8;

/**
 * `durable`: an event recorded with `recordDurably` is in the database before the call resolves (group
 * commit). `batched`: every event is written within a second, and lost if the process dies before that.
 */
export type AuditDurability = 'durable' | 'batched';

export interface AuditTrailSettings {
  readonly durability: AuditDurability;
  /** How long the first waiting durable event waits for others to share its INSERT. */
  readonly groupCommitMs: number;
  /** Durable events in one INSERT; this many waiting start it at once. */
  readonly maxBatch: number;
}

/** The defaults of config/default.yaml, for an AuditTrail built without a config (tests). */
export const DEFAULT_AUDIT_TRAIL_SETTINGS: AuditTrailSettings = { durability: 'durable', groupCommitMs: 0, maxBatch: 256 };

/** Told of every event as it is recorded (metrics); must not throw or block. */
export type AuditObserver = (event: AuditEvent) => void;

/**
 * Audit events, each cut to a bounded size, go to the structured log and to the audit table. `record`
 * writes an event without waiting for it (one whose write fails is kept for the next periodic write);
 * `recordDurably` waits for its INSERT in durable mode, and fails with 503 when it cannot be written.
 */
export class AuditTrail {
  private readonly batch: PeriodicBatch<AuditEvent>;
  private readonly durable: GroupCommit<AuditEvent> | null;

  constructor(
    log: AuditLog,
    private readonly logger: Logger,
    private readonly observers: readonly AuditObserver[] = [],
    settings: AuditTrailSettings = DEFAULT_AUDIT_TRAIL_SETTINGS,
  ) {
    this.batch = new PeriodicBatch({
      write: (events) => log.record(events),
      logger,
      what: 'audit events',
      capacity: BATCHED_CAPACITY,
      capacityBytes: { bytes: WAITING_BYTES, sizeOf: approximateSize },
      retryFailed: true,
    });
    this.durable =
      settings.durability === 'batched'
        ? null
        : new GroupCommit({
            write: (events) =>
              log.record(events).catch((error: unknown) => {
                logger.warn('could not write audit events', { count: events.length, error: String(error) });
                throw error;
              }),
            delayMs: settings.groupCommitMs,
            maxBatch: settings.maxBatch,
            maxWaiting: settings.maxBatch * DURABLE_BATCHES_WAITING,
            maxWaitingBytes: WAITING_BYTES,
            sizeOf: approximateSize,
            what: 'the audit log',
          });
  }

  /**
   * Logs the event now and writes it without waiting: in durable mode in the next group commit (so rows
   * keep the order events happened in), falling back to the periodic batch when that write fails or is
   * full; in batched mode with the next periodic batch.
   */
  record(event: AuditEvent): void {
    const bounded = boundedEvent(event);
    this.announce(bounded);
    if (this.durable === null) this.batch.add(bounded);
    else this.durable.commit(bounded).catch(() => this.batch.add(bounded));
  }

  /**
   * In durable mode, resolves once the event is committed, and only then logs it; rejects with
   * ServiceUnavailableError when the write fails, or OverloadedError when too many events wait. In
   * batched mode, the same as `record`.
   */
  async recordDurably(event: AuditEvent): Promise<void> {
    if (this.durable === null) {
      this.record(event);
      return;
    }
    const bounded = boundedEvent(event);
    const durable = this.durable;
    await unavailableOnFailure('audit log', () => durable.commit(bounded));
    this.announce(bounded);
  }

  /** Writes what waits now; durable first, since an event whose durable write fails joins the batch. */
  async flush(): Promise<void> {
    await this.durable?.flush();
    await this.batch.flush();
  }

  private announce(event: AuditEvent): void {
    const level = event.event === 'auth.failed' || event.event === 'sso.refused' ? 'warn' : 'info';
    this.logger[level]('audit', {
      event: event.event,
      actor: event.actor,
      tokenId: event.deployTokenId,
      username: event.username,
      clientIp: event.clientIp,
      ...event.details,
    });
    for (const observe of this.observers) {
      try {
        observe(event);
      } catch (error) {
        // An observer is a side channel: its failure must never fail the request that produced the event.
        this.logger.error('audit observer failed', { event: event.event, error: String(error) });
      }
    }
  }
}

function boundedEvent(event: AuditEvent): AuditEvent {
  return {
    ...event,
    actor: boundAuditText(event.actor),
    username: boundAuditText(event.username),
    clientIp: boundAuditText(event.clientIp),
    details: boundAuditDetails(event.details),
  };
}

/** Close enough to the bytes an event takes waiting and in its INSERT; bounded events keep it small. */
function approximateSize(event: AuditEvent): number {
  return 128 + (event.actor?.length ?? 0) + (event.username?.length ?? 0) + (JSON.stringify(event.details) ?? '').length;
}
