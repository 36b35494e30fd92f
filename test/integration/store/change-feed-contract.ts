import type { DeployTokenChangeListener, NewDeployToken } from '../../../src/app/ports.js';
import { migrate } from '../../../src/adapters/store/migrator.js';
import type { SqlDatabase } from '../../../src/adapters/store/sql-database.js';
import { SqlDeployTokenChangeFeed } from '../../../src/adapters/store/sql-deploy-token-change-feed.js';
import { SqlDeployTokenStore } from '../../../src/adapters/store/sql-deploy-token-store.js';

const T0 = new Date('2026-11-23T10:00:00.000Z');

function draft(username: string): NewDeployToken {
  return {
    name: 'ci',
    username,
    secretHash: '$2b$04$abcdefghijklmnopqrstuuN3Vj0mGJq9GzQm3QWZ4m5WmYh0Z9q1y',
    repositories: ['team/app'],
    scopes: ['read_registry'],
    expiresAt: null,
    tokenLifetimeSeconds: null,
    createdAt: T0,
  };
}

/** Records what the feed says, and lets a test wait for the next change. */
export class RecordingListener implements DeployTokenChangeListener {
  readonly events: string[] = [];
  private waiters: (() => void)[] = [];

  changed(username: string): void {
    this.push(`changed:${username}`);
  }
  interrupted(): void {
    this.push('interrupted');
  }
  resumed(): void {
    this.push('resumed');
  }

  /** Resolves once an event matching `predicate` has been recorded. */
  async until(predicate: (event: string) => boolean): Promise<void> {
    while (!this.events.some(predicate)) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private push(event: string): void {
    this.events.push(event);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/**
 * The NOTIFY trigger and the feed on it: every change that matters to a credential check is announced
 * with the username, in commit order; last-use bookkeeping is not.
 */
export function changeFeedContract(label: string, openDatabase: () => Promise<SqlDatabase>): void {
  describe(`deploy-token change feed on ${label}`, () => {
    let db: SqlDatabase;
    let store: SqlDeployTokenStore;
    let listener: RecordingListener;
    let unsubscribe: () => Promise<void>;
    // Other test files may share the server, and NOTIFY channels are server-wide: only our usernames count.
    const prefix = `feed${Date.now().toString(36)}`;
    const ours = () => listener.events.filter((event) => !event.startsWith('changed:') || event.startsWith(`changed:${prefix}`));

    beforeAll(async () => {
      db = await openDatabase();
      await migrate(db);
      store = new SqlDeployTokenStore(db);
      listener = new RecordingListener();
      unsubscribe = await new SqlDeployTokenChangeFeed(db).subscribe(listener);
      await listener.until((event) => event === 'resumed');
    });

    afterAll(async () => {
      await unsubscribe?.();
      await db?.close();
    });

    test('create, update, rotate and revoke are announced with the username; recording uses is not', async () => {
      const token = await store.create(draft(`${prefix}-a`));
      await store.recordUses([{ id: token.id, at: T0, clientIp: '10.0.0.1' }]);
      await store.update(token.id, { repositories: ['team/other'] }, T0);
      await store.recordUses([{ id: token.id, at: new Date(T0.getTime() + 1000), clientIp: '10.0.0.2' }]);
      await store.rotateSecret(token.id, '$2b$04$abcdefghijklmnopqrstuuN3Vj0mGJq9GzQm3QWZ4m5WmYh0Z9q1z', T0);
      await store.revoke(token.id, T0);
      const marker = await store.create(draft(`${prefix}-marker`));
      await listener.until((event) => event === `changed:${marker.username}`);

      expect(ours()).toEqual([
        'resumed',
        `changed:${prefix}-a`,
        `changed:${prefix}-a`,
        `changed:${prefix}-a`,
        `changed:${prefix}-a`,
        `changed:${prefix}-marker`,
      ]);
    });

    test('revoking a token already revoked changes nothing and announces nothing', async () => {
      const token = await store.create(draft(`${prefix}-b`));
      await store.revoke(token.id, T0);
      const announcedForB = () => listener.events.filter((event) => event === `changed:${prefix}-b`).length;
      await listener.until(() => announcedForB() === 2);

      await store.revoke(token.id, new Date(T0.getTime() + 5000));
      const marker = await store.create(draft(`${prefix}-marker2`));
      await listener.until((event) => event === `changed:${marker.username}`);

      expect(announcedForB()).toBe(2);
    });
  });
}
