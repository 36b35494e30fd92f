import { AuditTrail, type AuditTrailSettings } from '../../../src/app/audit-trail.js';
import type { AuditEvent } from '../../../src/app/ports.js';
import { InMemoryAuditLog } from '../../support/fake-ports.js';
import { RecordingLogger } from '../../support/recording-logger.js';

const T0 = new Date('2026-11-23T10:00:00.000Z');
const BATCHED: AuditTrailSettings = { durability: 'batched', groupCommitMs: 0, maxBatch: 10 };
const DURABLE: AuditTrailSettings = { durability: 'durable', groupCommitMs: 0, maxBatch: 10 };

describe('AuditTrail', () => {
  const event = (overrides: Partial<AuditEvent> = {}): AuditEvent => ({
    occurredAt: T0,
    event: 'token.issued',
    actor: 'ci-bot',
    deployTokenId: 1,
    username: 'ci-bot',
    clientIp: '10.0.0.1',
    details: { grant: 'password', granted: [] },
    ...overrides,
  });

  class CountingAuditLog extends InMemoryAuditLog {
    readonly calls: number[] = [];
    failNext = false;
    override async record(events: readonly AuditEvent[]): Promise<void> {
      this.calls.push(events.length);
      if (this.failNext) {
        this.failNext = false;
        throw new Error('database down');
      }
      return super.record(events);
    }
  }

  test('logs each event at once at info, with its details flattened into the fields', () => {
    const logger = new RecordingLogger();
    const trail = new AuditTrail(new InMemoryAuditLog(), logger);
    trail.record(event());
    expect(logger.records).toStrictEqual([
      {
        level: 'info',
        message: 'audit',
        fields: {
          event: 'token.issued',
          actor: 'ci-bot',
          tokenId: 1,
          username: 'ci-bot',
          clientIp: '10.0.0.1',
          grant: 'password',
          granted: [],
        },
      },
    ]);
  });

  test.each<[AuditEvent['event'], string]>([
    ['auth.failed', 'warn'],
    ['token.issued', 'info'],
    ['token.created', 'info'],
    ['token.updated', 'info'],
    ['token.rotated', 'info'],
    ['token.revoked', 'info'],
    ['admin_key.created', 'info'],
    ['admin_key.revoked', 'info'],
    ['sso.signed_in', 'info'],
    ['sso.refused', 'warn'],
  ])('%s is logged at %s', (name, level) => {
    const logger = new RecordingLogger();
    new AuditTrail(new InMemoryAuditLog(), logger).record(event({ event: name }));
    expect(logger.records.map((record) => [record.level, record.message, record.fields.event])).toStrictEqual([[level, 'audit', name]]);
  });

  test('batched: writes to the audit log only on flush, all events in one call, in order', async () => {
    const log = new CountingAuditLog();
    const trail = new AuditTrail(log, new RecordingLogger(), [], BATCHED);
    trail.record(event({ event: 'token.created' }));
    trail.record(event({ event: 'auth.failed', deployTokenId: null, actor: null }));
    expect(log.events).toStrictEqual([]);
    await trail.flush();
    expect(log.calls).toStrictEqual([2]);
    expect(log.events.map((recorded) => [recorded.id, recorded.event])).toStrictEqual([
      [1, 'token.created'],
      [2, 'auth.failed'],
    ]);
  });

  test('batched: events whose write failed are written at the next flush', async () => {
    const log = new CountingAuditLog();
    const logger = new RecordingLogger();
    const trail = new AuditTrail(log, logger, [], BATCHED);
    trail.record(event({ event: 'token.created' }));
    log.failNext = true;
    await trail.flush();
    expect(log.events).toStrictEqual([]);
    trail.record(event({ event: 'token.revoked' }));
    await trail.flush();
    expect(log.calls).toStrictEqual([1, 2]);
    expect(log.events.map((recorded) => recorded.event)).toStrictEqual(['token.created', 'token.revoked']);
    expect(logger.records.filter((record) => record.message === 'could not write audit events')).toHaveLength(1);
  });

  test('tells each observer of every event, after logging it', () => {
    const logger = new RecordingLogger();
    const seen: [string, number][] = [];
    const trail = new AuditTrail(new InMemoryAuditLog(), logger, [
      (observed) => seen.push([observed.event, logger.records.length]),
      (observed) => seen.push([`second ${observed.event}`, logger.records.length]),
    ]);
    trail.record(event());
    trail.record(event({ event: 'auth.failed' }));
    expect(seen).toEqual([
      ['token.issued', 1],
      ['second token.issued', 1],
      ['auth.failed', 2],
      ['second auth.failed', 2],
    ]);
  });

  test('an observer that throws is logged; the event is still kept and later observers still run', async () => {
    const logger = new RecordingLogger();
    const log = new InMemoryAuditLog();
    const seen: string[] = [];
    const trail = new AuditTrail(log, logger, [
      () => {
        throw new Error('observer broke');
      },
      (observed) => seen.push(observed.event),
    ]);
    expect(() => trail.record(event())).not.toThrow();
    expect(seen).toEqual(['token.issued']);
    expect(logger.records.at(-1)).toEqual({
      level: 'error',
      message: 'audit observer failed',
      fields: { event: 'token.issued', error: 'Error: observer broke' },
    });
    await trail.flush();
    expect(await log.query({ limit: 10 })).toHaveLength(1);
  });

  test('cuts each event to a bounded size before it is logged or stored', async () => {
    const logger = new RecordingLogger();
    const log = new InMemoryAuditLog();
    const trail = new AuditTrail(log, logger);
    const refused = Array.from({ length: 256 }, (_, index) => ({ type: 'repository', name: `${index}/${'n'.repeat(500)}`, actions: ['push'] }));
    trail.record(event({ username: 'u'.repeat(10_000), details: { refused, clientId: 'c'.repeat(10_000) } }));
    await trail.flush();
    const [stored] = log.events;
    expect(JSON.stringify(stored).length).toBeLessThan(4_096);
    expect(JSON.stringify(logger.records[0]?.fields).length).toBeLessThan(4_096);
    expect(stored?.details.refusedOmitted).toBe(256 - (stored?.details.refused as unknown[]).length);
  });

  test('durable: record writes in the next group commit without a flush, in order with durable events', async () => {
    const log = new CountingAuditLog();
    const trail = new AuditTrail(log, new RecordingLogger(), [], DURABLE);
    trail.record(event({ event: 'auth.failed' }));
    await trail.recordDurably(event({ event: 'token.issued' }));
    expect(log.calls).toStrictEqual([2]);
    expect(log.events.map((recorded) => recorded.event)).toStrictEqual(['auth.failed', 'token.issued']);
  });

  test('durable: an event from record whose write failed is kept and written at the next flush', async () => {
    const log = new CountingAuditLog();
    const trail = new AuditTrail(log, new RecordingLogger(), [], DURABLE);
    log.failNext = true;
    trail.record(event({ event: 'auth.failed' }));
    await expect(trail.recordDurably(event({ event: 'token.issued' }))).rejects.toThrow('audit log is unavailable');
    await trail.flush();
    expect(log.events.map((recorded) => recorded.event)).toStrictEqual(['auth.failed']);
  });

  test('recordDurably resolves once the event is written, and logs it only then', async () => {
    const logger = new RecordingLogger();
    const log = new CountingAuditLog();
    const trail = new AuditTrail(log, logger, [], { durability: 'durable', groupCommitMs: 0, maxBatch: 10 });
    const recorded = trail.recordDurably(event());
    expect(logger.records).toStrictEqual([]);
    await recorded;
    expect(log.calls).toStrictEqual([1]);
    expect(logger.records.map((record) => record.message)).toStrictEqual(['audit']);
  });

  test('recordDurably in batched mode logs at once and writes at the next flush', async () => {
    const log = new CountingAuditLog();
    const trail = new AuditTrail(log, new RecordingLogger(), [], { durability: 'batched', groupCommitMs: 0, maxBatch: 10 });
    await trail.recordDurably(event());
    expect(log.calls).toStrictEqual([]);
    await trail.flush();
    expect(log.calls).toStrictEqual([1]);
  });
});
