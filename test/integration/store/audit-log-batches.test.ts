import type { AuditEvent } from '../../../src/app/ports.js';
import { openEmbeddedDatabase } from '../../../src/adapters/store/embedded-database.js';
import { migrate } from '../../../src/adapters/store/migrator.js';
import { SqlAuditLog } from '../../../src/adapters/store/sql-audit-log.js';
import type { SqlDatabase } from '../../../src/adapters/store/sql-database.js';

const HOSTILE = ["it's", "'); DROP TABLE audit_events; --", 'back\\slash \\\' quote', 'nul\u0000byte', 'ünï €😀', '$$ $tag$ "double"', 'line\nbreak'];

const event = (index: number, text: string): AuditEvent => ({
  occurredAt: new Date(Date.UTC(2026, 11, 4, 10, 0, 0, index)),
  event: 'auth.failed',
  actor: text,
  deployTokenId: index % 2 === 0 ? null : index,
  username: text,
  clientIp: text,
  details: { reason: text, nested: { list: [text, index] }, index },
});

/** Only what PostgreSQL cannot store changes: U+0000 becomes U+FFFD. */
const stored = (text: string) => text.replace(/\u0000/g, '\uFFFD');

/**
 * On the embedded store small batches are written as literal VALUES and larger ones as one JSON parameter:
 * both must store any client-chosen text exactly, and neither may let it out of its string constant.
 */
describe('audit batches on the embedded store', () => {
  let db: SqlDatabase;
  let auditLog: SqlAuditLog;

  beforeAll(async () => {
    db = await openEmbeddedDatabase(null);
    await migrate(db);
    auditLog = new SqlAuditLog(db);
  }, 60_000);

  afterAll(async () => {
    await db?.close();
  });

  test.each([
    ['one row', 1],
    ['a small batch (literal VALUES)', HOSTILE.length],
    ['a large batch (JSON parameter)', 40],
  ])('%s keeps hostile text exactly', async (_name, count) => {
    const before = (await auditLog.query({ limit: 10_000 })).length;
    const events = Array.from({ length: count }, (_, index) => event(index, HOSTILE[index % HOSTILE.length] as string));
    await auditLog.record(events);
    const recorded = (await auditLog.query({ limit: 10_000 })).slice(0, count).reverse();
    expect((await auditLog.query({ limit: 10_000 })).length).toBe(before + count);
    expect(recorded.map(({ id: _id, ...rest }) => rest)).toEqual(
      events.map((sent) => ({
        occurredAt: sent.occurredAt,
        event: sent.event,
        actor: stored(sent.actor as string),
        deployTokenId: sent.deployTokenId,
        username: stored(sent.username as string),
        clientIp: stored(sent.clientIp as string),
        details: JSON.parse(JSON.stringify(sent.details, (_key, value: unknown) => (typeof value === 'string' ? stored(value) : value))),
      })),
    );
  });
});
