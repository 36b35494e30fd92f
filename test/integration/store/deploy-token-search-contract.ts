import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeployTokenFilter, NewDeployToken } from '../../../src/app/ports.js';
import { migrate, MIGRATIONS_DIR } from '../../../src/adapters/store/migrator.js';
import type { SqlDatabase } from '../../../src/adapters/store/sql-database.js';
import { SqlDeployTokenStore } from '../../../src/adapters/store/sql-deploy-token-store.js';
import type { DeployToken } from '../../../src/core/deploy-token.js';
import { DEFAULT_DEPLOY_TOKEN_SORT, parseDeployTokenSort } from '../../../src/core/deploy-token-sort.js';

const NOW = new Date('2026-11-23T10:00:00.000Z');
const DAY = 86_400_000;
const days = (count: number) => new Date(NOW.getTime() + count * DAY);

function draft(overrides: Partial<NewDeployToken> = {}): NewDeployToken {
  return {
    name: 'token',
    username: null,
    secretHash: '$2b$04$abcdefghijklmnopqrstuuN3Vj0mGJq9GzQm3QWZ4m5WmYh0Z9q1y',
    repositories: ['team/app'],
    scopes: ['read_registry'],
    expiresAt: null,
    tokenLifetimeSeconds: null,
    createdAt: days(-200),
    ...overrides,
  };
}

/**
 * Searching deploy tokens in SQL (text, status, scope, expiry, last use, revocation, the covers pre-filter,
 * sorting, offset paging with the total) and migration 009's backfill, on a real backend and a fresh database.
 */
export function deployTokenSearchContract(backend: string, open: () => Promise<SqlDatabase>): void {
  describe(`SqlDeployTokenStore.search on ${backend}`, () => {
    let db: SqlDatabase;
    let store: SqlDeployTokenStore;
    const made: Record<string, DeployToken> = {};

    beforeAll(async () => {
      db = await open();
      await migrate(db);
      store = new SqlDeployTokenStore(db);
      const add = async (key: string, overrides: Partial<NewDeployToken>) => {
        made[key] = await store.create(draft({ name: key, ...overrides }));
      };
      await add('Alpha CI', { repositories: ['team/app'], scopes: ['read_registry', 'write_registry'], expiresAt: days(10) });
      await add('beta', { username: 'beta-puller', repositories: ['team/application'], expiresAt: days(40) });
      await add('gamma', { repositories: ['team/**'], scopes: ['delete_registry'], expiresAt: days(-1) });
      await add('delta 100%_off', { repositories: ['other/x'], createdAt: days(-5) });
      await add('epsilon', { repositories: ['*'], scopes: ['read_registry', 'read_catalog'] });
      await add('zeta', { repositories: ['team/app/cache', 'team/*-prod'], expiresAt: days(20) });
      await store.recordUses([
        { id: (made['Alpha CI'] as DeployToken).id, at: days(-1), clientIp: null },
        { id: (made.beta as DeployToken).id, at: days(-100), clientIp: null },
      ]);
      await store.revoke((made.zeta as DeployToken).id, days(-3));
      await store.revoke((made.epsilon as DeployToken).id, days(-30));
    }, 60_000);

    afterAll(async () => {
      await db?.close();
    });

    const names = async (filter: Partial<DeployTokenFilter> = {}, sort = DEFAULT_DEPLOY_TOKEN_SORT, offset = 0, limit = 100) =>
      (await store.search({ now: NOW, ...filter, sort, offset, limit })).tokens.map((token) => token.name);

    test('text matches the name in any case, the username and the repository patterns, and % and _ are plain characters', async () => {
      expect(await names({ text: 'alpha ci' })).toStrictEqual(['Alpha CI']);
      expect(await names({ text: 'puller' })).toStrictEqual(['beta']);
      expect(await names({ text: 'team/app' })).toStrictEqual(['Alpha CI', 'beta', 'zeta']);
      expect(await names({ text: '-prod' })).toStrictEqual(['zeta']);
      expect(await names({ text: '100%_' })).toStrictEqual(['delta 100%_off']);
      expect(await names({ text: '%' })).toStrictEqual(['delta 100%_off']);
      expect(await names({ text: 'nothing like it' })).toStrictEqual([]);
    });

    test('status and scope', async () => {
      expect(await names({ status: 'active' })).toStrictEqual(['Alpha CI', 'beta', 'delta 100%_off']);
      expect(await names({ status: 'expired' })).toStrictEqual(['gamma']);
      expect(await names({ status: 'revoked' })).toStrictEqual(['epsilon', 'zeta']);
      expect(await names({ scope: 'write_registry' })).toStrictEqual(['Alpha CI']);
      expect(await names({ scope: 'read_registry', status: 'active' })).toStrictEqual(['Alpha CI', 'beta', 'delta 100%_off']);
    });

    test('expiresBy keeps tokens not yet expired that expire by then; never-expiring and expired ones are out', async () => {
      expect(await names({ expiresBy: days(30) })).toStrictEqual(['Alpha CI', 'zeta']);
      expect(await names({ expiresBy: days(30), status: 'active' })).toStrictEqual(['Alpha CI']);
      expect(await names({ expiresBy: days(10) })).toStrictEqual(['Alpha CI']);
      expect(await names({ expiresBy: days(9) })).toStrictEqual([]);
    });

    test('unusedSince: last used before then, or never used and created before then', async () => {
      expect(await names({ unusedSince: days(-90) })).toStrictEqual(['beta', 'gamma', 'epsilon', 'zeta']);
      // delta was created 5 days ago and never used: unused for 3 days, not for 90.
      expect(await names({ unusedSince: days(-3) })).toStrictEqual(['beta', 'gamma', 'delta 100%_off', 'epsilon', 'zeta']);
    });

    test('revokedSince', async () => {
      expect(await names({ revokedSince: days(-7) })).toStrictEqual(['zeta']);
      expect(await names({ revokedSince: days(-31) })).toStrictEqual(['epsilon', 'zeta']);
    });

    test('mayCover never drops a token that covers the repository, and drops plain patterns that do not', async () => {
      expect(await names({ mayCover: 'team/app' })).toStrictEqual(['Alpha CI', 'gamma', 'epsilon', 'zeta']);
      expect(await names({ mayCover: 'team/app/cache/x' })).toStrictEqual(['Alpha CI', 'gamma', 'epsilon', 'zeta']);
      expect(await names({ mayCover: 'team/application' })).toStrictEqual(['beta', 'gamma', 'epsilon', 'zeta']);
      expect(await names({ mayCover: 'other/x' })).toStrictEqual(['gamma', 'delta 100%_off', 'epsilon', 'zeta']);
    });

    test('ids and afterId', async () => {
      const ids = [(made.gamma as DeployToken).id, (made.beta as DeployToken).id];
      expect(await names({ ids })).toStrictEqual(['beta', 'gamma']);
      expect(await names({ afterId: (made.epsilon as DeployToken).id })).toStrictEqual(['zeta']);
    });

    test.each<[string, string[]]>([
      ['created:asc', ['Alpha CI', 'beta', 'gamma', 'delta 100%_off', 'epsilon', 'zeta']],
      ['created:desc', ['zeta', 'epsilon', 'delta 100%_off', 'gamma', 'beta', 'Alpha CI']],
      ['name:asc', ['Alpha CI', 'beta', 'delta 100%_off', 'epsilon', 'gamma', 'zeta']],
      ['name:desc', ['zeta', 'gamma', 'epsilon', 'delta 100%_off', 'beta', 'Alpha CI']],
      // Never expiring counts as expiring last.
      ['expires:asc', ['gamma', 'Alpha CI', 'zeta', 'beta', 'delta 100%_off', 'epsilon']],
      ['expires:desc', ['epsilon', 'delta 100%_off', 'beta', 'zeta', 'Alpha CI', 'gamma']],
      // Never used counts as used longest ago.
      ['lastUsed:asc', ['gamma', 'delta 100%_off', 'epsilon', 'zeta', 'beta', 'Alpha CI']],
      ['lastUsed:desc', ['Alpha CI', 'beta', 'zeta', 'epsilon', 'delta 100%_off', 'gamma']],
    ])('sort %s', async (sort, expected) => {
      expect(await names({}, parseDeployTokenSort(sort))).toStrictEqual(expected);
    });

    test('offset and limit take one page of the sorted matches; the total counts them all; limit 0 only counts', async () => {
      const sort = parseDeployTokenSort('name:asc');
      const page = await store.search({ now: NOW, sort, offset: 2, limit: 2 });
      expect([page.tokens.map((token) => token.name), page.total]).toStrictEqual([['delta 100%_off', 'epsilon'], 6]);
      expect(await store.search({ now: NOW, status: 'active', sort, offset: 0, limit: 0 })).toStrictEqual({ tokens: [], total: 3 });
      expect(await store.search({ now: NOW, sort, offset: 50, limit: 10 })).toStrictEqual({ tokens: [], total: 6 });
    });

    test('listPatterns gives the id and patterns of every match in the sort order', async () => {
      const patterns = await store.listPatterns({ now: NOW, status: 'revoked' }, parseDeployTokenSort('created:desc'));
      expect(patterns).toStrictEqual([
        { id: (made.zeta as DeployToken).id, repositories: ['team/app/cache', 'team/*-prod'] },
        { id: (made.epsilon as DeployToken).id, repositories: ['*'] },
      ]);
    });
  });

  describe(`migration 009 on ${backend}`, () => {
    let db: SqlDatabase;
    let before009: string;

    beforeAll(async () => {
      db = await open();
      before009 = await mkdtemp(join(tmpdir(), 'regauth-before-009-'));
      for (const file of await readdir(MIGRATIONS_DIR)) {
        if (file.endsWith('.sql') && file < '009') await copyFile(join(MIGRATIONS_DIR, file), join(before009, file));
      }
      await migrate(db, before009);
    }, 60_000);

    afterAll(async () => {
      await db?.close();
      await rm(before009, { recursive: true, force: true });
    });

    test('backfills secret_issued_at from created_at or the last rotation, and secret_issued_by from the audit log', async () => {
      const insert = (name: string, rotatedAt: Date | null) =>
        db.query<{ id: string | number }>(
          `INSERT INTO deploy_tokens (name, username, secret_hash, repositories, scopes, created_at, secret_rotated_at)
           VALUES ($1, $1, 'h', ARRAY['team/app'], ARRAY['read_registry'], $2, $3) RETURNING id`,
          [name, days(-10), rotatedAt],
        );
      const [created] = await insert('created', null);
      const [rotated] = await insert('rotated', days(-2));
      const [unknown] = await insert('unknown', null);
      const event = (id: string | number | undefined, type: string, actor: string, at: Date) =>
        db.query(`INSERT INTO audit_events (occurred_at, event, actor, deploy_token_id) VALUES ($1, $2, $3, $4)`, [at, type, actor, String(id)]);
      await event(created?.id, 'token.created', 'admin-key:alice', days(-10));
      await event(created?.id, 'token.updated', 'admin-key:mallory', days(-9));
      await event(rotated?.id, 'token.created', 'cli', days(-10));
      await event(rotated?.id, 'token.rotated', 'admin-key:bob', days(-2));

      await migrate(db);
      const store = new SqlDeployTokenStore(db);
      expect(await store.findByUsername('created')).toMatchObject({ secretIssuedAt: days(-10), secretIssuedBy: 'admin-key:alice' });
      expect(await store.findByUsername('rotated')).toMatchObject({ secretIssuedAt: days(-2), secretIssuedBy: 'admin-key:bob' });
      expect(await store.findByUsername('unknown')).toMatchObject({ secretIssuedAt: days(-10), secretIssuedBy: null });
      expect(unknown).toBeDefined();
    });
  });
}
