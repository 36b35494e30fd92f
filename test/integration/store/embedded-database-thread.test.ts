import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openEmbeddedDatabaseThread } from '../../../src/adapters/store/embedded-database-worker.js';
import { sqlState, UNIQUE_VIOLATION, type SqlDatabase } from '../../../src/adapters/store/sql-database.js';

/** The server's embedded store runs on a thread of its own: it must behave as the in-process one does. */
describe('the embedded store on its own thread', () => {
  let dir: string;
  let db: SqlDatabase;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'regauth-thread-'));
    db = await openEmbeddedDatabaseThread(join(dir, 'data'));
    await db.execute('CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, seen timestamptz, tags text[])');
  }, 120_000);

  afterAll(async () => {
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('queries take parameters of every kind and answer rows with their types', async () => {
    const seen = new Date('2026-12-04T10:00:00.000Z');
    await db.query('INSERT INTO items (id, name, seen, tags) VALUES ($1, $2, $3, $4)', [1, 'one', seen, ['a', 'b']], 'insert_item');
    expect(await db.query('SELECT id, name, seen, tags FROM items WHERE id = $1', [1])).toEqual([{ id: 1, name: 'one', seen, tags: ['a', 'b'] }]);
  });

  test('an error keeps its SQLSTATE, and the thread goes on serving', async () => {
    const error = await db.query('INSERT INTO items (id, name) VALUES (1, $1)', ['again']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect(sqlState(error)).toBe(UNIQUE_VIOLATION);
    expect(await db.query<{ n: number }>('SELECT count(*)::int AS n FROM items')).toEqual([{ n: 1 }]);
  });

  test('a transaction commits when its work resolves and rolls back when it throws', async () => {
    await db.transaction(async (tx) => {
      await tx.query('INSERT INTO items (id, name) VALUES (2, $1)', ['two']);
    });
    const failure = new Error('changed my mind');
    await expect(
      db.transaction(async (tx) => {
        await tx.query('INSERT INTO items (id, name) VALUES (3, $1)', ['three']);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await db.query('SELECT id FROM items ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
  });

  test('notifications reach the listener until it unsubscribes', async () => {
    const payloads: string[] = [];
    let connected = false;
    const unsubscribe = await db.listen('changes', {
      notification: (payload) => payloads.push(payload),
      connected: () => (connected = true),
      disconnected: () => undefined,
    });
    expect(connected).toBe(true);
    await db.query("SELECT pg_notify('changes', 'first')");
    await waitFor(() => payloads.length === 1);
    await unsubscribe();
    await db.query("SELECT pg_notify('changes', 'second')");
    await db.query('SELECT 1');
    expect(payloads).toEqual(['first']);
  });

  test('after close every query is refused', async () => {
    const other = await openEmbeddedDatabaseThread(null);
    await other.close();
    await expect(other.query('SELECT 1')).rejects.toThrow(/exited/);
  }, 60_000);
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let tries = 0; tries < 100 && !condition(); tries += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  expect(condition()).toBe(true);
}
