import { AuditRetention } from '../../../src/app/audit-retention.js';
import type { AuditEvent, AuditLog } from '../../../src/app/ports.js';
import { openEmbeddedDatabase } from '../../../src/adapters/store/embedded-database.js';
import { migrate } from '../../../src/adapters/store/migrator.js';
import { openPostgresDatabase } from '../../../src/adapters/store/postgres-database.js';
import { SqlAuditLog } from '../../../src/adapters/store/sql-audit-log.js';
import type { SqlDatabase } from '../../../src/adapters/store/sql-database.js';
import { createPostgresTestSchema, postgresAvailable, type PostgresTestSchema } from '../../support/postgres.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { ManualClock } from '../../support/regauth-app.js';

const NOW = new Date('2026-11-23T10:00:00.000Z');
const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(NOW.getTime() - days * DAY);

const event = (occurredAt: Date, jti: string): AuditEvent => ({
  occurredAt,
  event: 'token.issued',
  actor: null,
  deployTokenId: null,
  username: null,
  clientIp: '10.0.0.1',
  details: { grant: 'anonymous', jti },
});

function retentionContract(backend: string, open: () => Promise<SqlDatabase>): void {
  describe(`audit retention on ${backend}`, () => {
    let db: SqlDatabase;
    let auditLog: SqlAuditLog;

    beforeEach(async () => {
      db = await open();
      await migrate(db);
      auditLog = new SqlAuditLog(db);
    }, 60_000);

    afterEach(async () => {
      await db.close();
    });

    const remaining = async () => (await auditLog.query({ limit: 1_000 })).map((recorded) => recorded.details.jti).sort();

    test('deletes the events older than the retention, in batches, and keeps the rest', async () => {
      const old = Array.from({ length: 25 }, (_, index) => event(daysAgo(401 + index), `old-${index}`));
      await auditLog.record([...old, event(daysAgo(399), 'recent'), event(NOW, 'now')]);
      const writes: number[] = [];
      const counting: AuditLog = {
        record: (events) => auditLog.record(events),
        query: (query) => auditLog.query(query),
        deleteOlderThan: async (cutoff, limit) => {
          const deleted = await auditLog.deleteOlderThan(cutoff, limit);
          writes.push(deleted);
          return deleted;
        },
      };
      const retention = new AuditRetention({
        auditLog: counting,
        clock: new ManualClock(NOW),
        logger: new RecordingLogger(),
        retentionDays: 400,
        batchSize: 10,
      });
      expect(await retention.prune()).toBe(25);
      expect(writes).toEqual([10, 10, 5]);
      expect(await remaining()).toEqual(['now', 'recent']);
    });

    test('retentionDays 0 keeps everything', async () => {
      await auditLog.record([event(daysAgo(10_000), 'ancient'), event(NOW, 'now')]);
      const retention = new AuditRetention({ auditLog, clock: new ManualClock(NOW), logger: new RecordingLogger(), retentionDays: 0 });
      expect(await retention.prune()).toBe(0);
      expect(await remaining()).toEqual(['ancient', 'now']);
    });

    test('a run stops after maxBatchesPerRun; the next run deletes the rest', async () => {
      await auditLog.record(Array.from({ length: 7 }, (_, index) => event(daysAgo(500), `old-${index}`)));
      const retention = new AuditRetention({
        auditLog,
        clock: new ManualClock(NOW),
        logger: new RecordingLogger(),
        retentionDays: 30,
        batchSize: 3,
        maxBatchesPerRun: 2,
      });
      expect(await retention.prune()).toBe(6);
      expect(await retention.prune()).toBe(1);
      expect(await remaining()).toEqual([]);
    });
  });
}

retentionContract('embedded PGlite', () => openEmbeddedDatabase(null));

const available = await postgresAvailable();
const schemas: PostgresTestSchema[] = [];
afterAll(async () => {
  await Promise.all(schemas.map((schema) => schema.drop()));
});

if (available) {
  retentionContract('PostgreSQL', async () => {
    const schema = await createPostgresTestSchema();
    schemas.push(schema);
    return openPostgresDatabase({ connectionString: schema.url, poolSize: 2, connectTimeoutMs: 3000, queryTimeoutMs: 5000 }, new RecordingLogger());
  });
} else {
  test.skip('audit retention on PostgreSQL (no PostgreSQL here)', () => undefined);
}
