import type { AuditEvent, NewDeployToken } from '../../../src/app/ports.js';
import { migrate } from '../../../src/adapters/store/migrator.js';
import { SqlAdminKeyStore } from '../../../src/adapters/store/sql-admin-key-store.js';
import { SqlAuditLog } from '../../../src/adapters/store/sql-audit-log.js';
import type { SqlDatabase } from '../../../src/adapters/store/sql-database.js';
import { SqlDeployTokenStore } from '../../../src/adapters/store/sql-deploy-token-store.js';
import { SqlRefreshTokenStore } from '../../../src/adapters/store/sql-refresh-token-store.js';
import type { DeployToken } from '../../../src/core/deploy-token.js';
import { DEFAULT_DEPLOY_TOKEN_SORT } from '../../../src/core/deploy-token-sort.js';
import type { DeployTokenFilter } from '../../../src/app/ports.js';

const T0 = new Date('2026-11-23T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const HOUR = 3_600_000;

function draft(overrides: Partial<NewDeployToken> = {}): NewDeployToken {
  return {
    name: 'ci pipeline',
    username: null,
    secretHash: '$2b$04$abcdefghijklmnopqrstuuN3Vj0mGJq9GzQm3QWZ4m5WmYh0Z9q1y',
    repositories: ['team/app'],
    scopes: ['read_registry'],
    expiresAt: null,
    tokenLifetimeSeconds: null,
    createdAt: T0,
    ...overrides,
  };
}

let hashCounter = 0;
const uniqueHash = (label: string) => `${label}-${(hashCounter += 1)}-${'0'.repeat(40)}`;

/**
 * The deploy-token lifecycle (update, rotate, status filters, paging, batched last use), refresh tokens,
 * admin keys and the audit log, on a real SQL backend. Run once per backend, on a fresh database.
 */
export function lifecycleStoreContract(backend: string, open: () => Promise<SqlDatabase>): void {
  describe(`lifecycle stores on ${backend}`, () => {
    let db: SqlDatabase;
    let tokens: SqlDeployTokenStore;
    let refreshTokens: SqlRefreshTokenStore;
    let adminKeys: SqlAdminKeyStore;
    let auditLog: SqlAuditLog;

    beforeAll(async () => {
      db = await open();
      await migrate(db);
      tokens = new SqlDeployTokenStore(db);
      refreshTokens = new SqlRefreshTokenStore(db);
      adminKeys = new SqlAdminKeyStore(db);
      auditLog = new SqlAuditLog(db);
    }, 60_000);

    afterAll(async () => {
      await db?.close();
    });

    /** A page in creation order, as the keyset `afterId` pages. */
    const listed = async (filter: DeployTokenFilter & { limit?: number }) =>
      (await tokens.search({ sort: DEFAULT_DEPLOY_TOKEN_SORT, offset: 0, ...filter, limit: filter.limit ?? 1_000 })).tokens;

    /** The highest id so far, so a test can look only at the tokens it made (`afterId`). */
    const findDeployToken = async (hash: string) => (await refreshTokens.find(hash))?.deployToken ?? null;

    const lastId = async () => {
      const rows = await db.query<{ id: string | number | null }>('SELECT max(id) AS id FROM deploy_tokens');
      return Number(rows[0]?.id ?? 0);
    };

    describe('SqlDeployTokenStore.update', () => {
      let token: DeployToken;

      beforeEach(async () => {
        token = await tokens.create(
          draft({ expiresAt: new Date('2027-01-31T00:00:00.000Z'), tokenLifetimeSeconds: 900, scopes: ['read_registry'] }),
        );
      });

      test.each<[string, Parameters<SqlDeployTokenStore['update']>[1]]>([
        ['name', { name: 'renamed' }],
        ['repositories', { repositories: ['a/**', 'b/*-prod', '*'] }],
        ['scopes', { scopes: ['write_registry', 'delete_registry', 'read_catalog'] }],
        ['expiresAt', { expiresAt: new Date('2028-02-29T12:34:56.789Z') }],
        ['expiresAt cleared', { expiresAt: null }],
        ['tokenLifetimeSeconds', { tokenLifetimeSeconds: 3600 }],
        ['tokenLifetimeSeconds cleared', { tokenLifetimeSeconds: null }],
      ])('changes %s only, and sets updatedAt', async (_label, changes) => {
        const updatedAt = at(HOUR);
        const updated = await tokens.update(token.id, changes, updatedAt);
        expect(updated).toStrictEqual({ ...token, ...changes, updatedAt });
        expect(await tokens.findById(token.id)).toStrictEqual(updated);
      });

      test('changes every field at once', async () => {
        const changes = {
          name: 'all',
          repositories: ['x'],
          scopes: ['write_registry' as const],
          expiresAt: null,
          tokenLifetimeSeconds: 60,
        };
        expect(await tokens.update(token.id, changes, at(1))).toStrictEqual({ ...token, ...changes, updatedAt: at(1) });
      });

      test('no change still stamps updatedAt', async () => {
        expect(await tokens.update(token.id, {}, at(2))).toStrictEqual({ ...token, updatedAt: at(2) });
      });

      test('an unknown id is null', async () => {
        expect(await tokens.update(987_654, { name: 'x' }, at(1))).toBeNull();
      });

      test('the database refuses a lifetime outside 60..86400 and an unknown scope', async () => {
        await expect(tokens.update(token.id, { tokenLifetimeSeconds: 59 }, at(1))).rejects.toThrow();
        await expect(tokens.update(token.id, { tokenLifetimeSeconds: 86_401 }, at(1))).rejects.toThrow();
        await expect(tokens.update(token.id, { scopes: ['admin' as never] }, at(1))).rejects.toThrow();
        await expect(tokens.update(token.id, { repositories: [] }, at(1))).rejects.toThrow();
        expect(await tokens.findById(token.id)).toStrictEqual(token);
      });
    });

    describe('SqlDeployTokenStore.rotateSecret', () => {
      test('replaces the hash, stamps updatedAt, and deletes only that token’s refresh tokens', async () => {
        const rotated = await tokens.create(draft());
        const other = await tokens.create(draft());
        const [mine1, mine2, theirs] = [uniqueHash('rt'), uniqueHash('rt'), uniqueHash('rt')];
        await refreshTokens.create({ deployTokenId: rotated.id, secretGeneration: 1, tokenHash: mine1, clientId: 'docker', createdAt: T0 });
        await refreshTokens.create({ deployTokenId: rotated.id, secretGeneration: 1, tokenHash: mine2, clientId: null, createdAt: T0 });
        await refreshTokens.create({ deployTokenId: other.id, secretGeneration: 1, tokenHash: theirs, clientId: null, createdAt: T0 });

        const result = await tokens.rotateSecret(rotated.id, '$2b$04$new-hash', at(HOUR), 'admin-key:alice');
        expect(result).toStrictEqual({
          ...rotated,
          secretHash: '$2b$04$new-hash',
          secretGeneration: 2,
          updatedAt: at(HOUR),
          secretIssuedAt: at(HOUR),
          secretIssuedBy: 'admin-key:alice',
        });
        expect(await tokens.findById(rotated.id)).toStrictEqual(result);
        expect(await findDeployToken(mine1)).toBeNull();
        expect(await findDeployToken(mine2)).toBeNull();
        expect((await findDeployToken(theirs))?.id).toBe(other.id);
        expect(await tokens.findById(other.id)).toStrictEqual(other);
      });

      test('a refresh token made after the rotation works', async () => {
        const token = await tokens.create(draft());
        await tokens.rotateSecret(token.id, '$2b$04$new-hash', at(1));
        const hash = uniqueHash('rt');
        expect(await refreshTokens.create({ deployTokenId: token.id, secretGeneration: 1, tokenHash: uniqueHash('rt'), clientId: null, createdAt: at(2) })).toBe(false);
        expect(await refreshTokens.create({ deployTokenId: token.id, secretGeneration: 2, tokenHash: hash, clientId: null, createdAt: at(2) })).toBe(true);
        expect((await findDeployToken(hash))?.secretHash).toBe('$2b$04$new-hash');
      });

      test('an unknown id is null and deletes nothing', async () => {
        const token = await tokens.create(draft());
        const hash = uniqueHash('rt');
        await refreshTokens.create({ deployTokenId: token.id, secretGeneration: 1, tokenHash: hash, clientId: null, createdAt: T0 });
        expect(await tokens.rotateSecret(987_654, 'x', at(1))).toBeNull();
        expect((await findDeployToken(hash))?.id).toBe(token.id);
      });
    });

    describe('SqlDeployTokenStore.list', () => {
      test('status filters are evaluated at the given now', async () => {
        const base = await lastId();
        const now = at(10 * HOUR);
        const active = await tokens.create(draft({ name: 'active' }));
        const later = await tokens.create(draft({ name: 'expires later', expiresAt: at(10 * HOUR + 1) }));
        const atNow = await tokens.create(draft({ name: 'expires now', expiresAt: now }));
        const before = await tokens.create(draft({ name: 'expired', expiresAt: at(HOUR) }));
        const revoked = await tokens.create(draft({ name: 'revoked' }));
        const revokedExpired = await tokens.create(draft({ name: 'revoked and expired', expiresAt: at(HOUR) }));
        await tokens.revoke(revoked.id, at(2 * HOUR));
        await tokens.revoke(revokedExpired.id, at(2 * HOUR));

        const ids = async (status?: 'active' | 'expired' | 'revoked', when = now) =>
          (await listed({ now: when, afterId: base, ...(status === undefined ? {} : { status }) })).map((token) => token.id);
        expect(await ids('active')).toStrictEqual([active.id, later.id]);
        expect(await ids('expired')).toStrictEqual([atNow.id, before.id]);
        expect(await ids('revoked')).toStrictEqual([revoked.id, revokedExpired.id]);
        expect(await ids()).toStrictEqual([active.id, later.id, atNow.id, before.id, revoked.id, revokedExpired.id]);
        // An hour earlier, the token expiring "now" was still active.
        expect(await ids('active', at(9 * HOUR))).toStrictEqual([active.id, later.id, atNow.id]);
        expect(await ids('expired', at(9 * HOUR))).toStrictEqual([before.id]);
      });

      test('afterId and limit page through in id order', async () => {
        const base = await lastId();
        const made: number[] = [];
        for (let i = 0; i < 5; i += 1) made.push((await tokens.create(draft({ name: `page ${i}` }))).id);
        const page = async (afterId: number, limit: number) =>
          (await listed({ now: T0, afterId, limit })).map((token) => token.id);
        expect(await page(base, 2)).toStrictEqual(made.slice(0, 2));
        expect(await page(made[1] as number, 2)).toStrictEqual(made.slice(2, 4));
        expect(await page(made[3] as number, 2)).toStrictEqual(made.slice(4));
        expect(await page(made[4] as number, 2)).toStrictEqual([]);
        expect(await page(base, 100)).toStrictEqual(made);
      });

      test('limit applies after the status filter', async () => {
        const base = await lastId();
        const first = await tokens.create(draft());
        await tokens.revoke(first.id, T0);
        const second = await tokens.create(draft());
        const third = await tokens.create(draft());
        expect((await listed({ now: T0, afterId: base, status: 'active', limit: 1 })).map((t) => t.id)).toStrictEqual([
          second.id,
        ]);
        expect((await listed({ now: T0, afterId: second.id, status: 'active', limit: 1 })).map((t) => t.id)).toStrictEqual([
          third.id,
        ]);
      });
    });

    describe('SqlDeployTokenStore.recordUses', () => {
      test('writes a batch for many tokens in one call, addresses included', async () => {
        const made: DeployToken[] = [];
        for (let i = 0; i < 20; i += 1) made.push(await tokens.create(draft()));
        await tokens.recordUses(made.map((token, i) => ({ id: token.id, at: at(i * 1000), clientIp: i % 3 === 0 ? null : `10.0.0.${i}` })));
        for (const [i, token] of made.entries()) {
          expect(await tokens.findById(token.id)).toMatchObject({ lastUsedAt: at(i * 1000), lastUsedIp: i % 3 === 0 ? null : `10.0.0.${i}` });
        }
      });

      test('never moves last use back, and an equal time takes the newer address', async () => {
        const token = await tokens.create(draft());
        await tokens.recordUses([{ id: token.id, at: at(HOUR), clientIp: '10.0.0.1' }]);
        await tokens.recordUses([{ id: token.id, at: at(HOUR - 1), clientIp: '10.0.0.2' }]);
        expect(await tokens.findById(token.id)).toMatchObject({ lastUsedAt: at(HOUR), lastUsedIp: '10.0.0.1' });
        await tokens.recordUses([{ id: token.id, at: at(HOUR), clientIp: '10.0.0.3' }]);
        expect(await tokens.findById(token.id)).toMatchObject({ lastUsedAt: at(HOUR), lastUsedIp: '10.0.0.3' });
      });

      test('the same token twice in one batch ends with its latest use', async () => {
        const token = await tokens.create(draft());
        await tokens.recordUses([
          { id: token.id, at: at(1_000), clientIp: '10.0.0.1' },
          { id: token.id, at: at(2_000), clientIp: '10.0.0.2' },
        ]);
        expect(await tokens.findById(token.id)).toMatchObject({ lastUsedAt: at(2_000), lastUsedIp: '10.0.0.2' });
        await tokens.recordUses([
          { id: token.id, at: at(4_000), clientIp: '10.0.0.4' },
          { id: token.id, at: at(3_000), clientIp: '10.0.0.3' },
        ]);
        expect(await tokens.findById(token.id)).toMatchObject({ lastUsedAt: at(4_000), lastUsedIp: '10.0.0.4' });
        // On a tie the later entry of the batch wins.
        await tokens.recordUses([
          { id: token.id, at: at(5_000), clientIp: '10.0.0.5' },
          { id: token.id, at: at(5_000), clientIp: '10.0.0.6' },
        ]);
        expect(await tokens.findById(token.id)).toMatchObject({ lastUsedAt: at(5_000), lastUsedIp: '10.0.0.6' });
      });

      test('a large batch mixing many tokens, repeats and stale uses keeps each token’s latest', async () => {
        const made: DeployToken[] = [];
        for (let i = 0; i < 5; i += 1) made.push(await tokens.create(draft()));
        const uses = [];
        for (let round = 0; round < 40; round += 1) {
          for (const [i, token] of made.entries()) {
            // Times go up and down within the batch; each token's latest is round 17 (17 * 7 mod 40 = 39).
            const ms = ((round * 7) % 40) * 1000 + i;
            uses.push({ id: token.id, at: at(ms), clientIp: `10.${i}.${round}.1` });
          }
        }
        await tokens.recordUses(uses);
        for (const [i, token] of made.entries()) {
          const latest = uses.filter((use) => use.id === token.id).reduce((a, b) => (b.at > a.at ? b : a));
          expect(await tokens.findById(token.id)).toMatchObject({ lastUsedAt: latest.at, lastUsedIp: latest.clientIp });
          expect(latest.at).toStrictEqual(at(39_000 + i));
        }
      });

      test('an empty batch and unknown ids change nothing', async () => {
        const token = await tokens.create(draft());
        await tokens.recordUses([]);
        await tokens.recordUses([{ id: 987_654, at: at(1), clientIp: '10.0.0.1' }]);
        expect(await tokens.findById(token.id)).toStrictEqual(token);
      });

      test('keeps the sub-second precision of the time', async () => {
        const token = await tokens.create(draft());
        await tokens.recordUses([{ id: token.id, at: at(1_234), clientIp: '::1' }]);
        expect((await tokens.findById(token.id))?.lastUsedAt).toStrictEqual(at(1_234));
        expect((await tokens.findById(token.id))?.lastUsedIp).toBe('::1');
      });
    });

    describe('migration 002: the scopes CHECK', () => {
      test.each([['read_registry'], ['write_registry'], ['delete_registry'], ['read_catalog']])('accepts %s', async (scope) => {
        await expect(tokens.create(draft({ scopes: [scope as never] }))).resolves.toMatchObject({ scopes: [scope] });
      });

      test('accepts all four together', async () => {
        const scopes = ['read_registry', 'write_registry', 'delete_registry', 'read_catalog'] as const;
        await expect(tokens.create(draft({ scopes: [...scopes] }))).resolves.toMatchObject({ scopes: [...scopes] });
      });

      test.each([[['admin']], [['read_registry', 'push']], [['READ_REGISTRY']], [[]]])('refuses %j', async (scopes) => {
        const before = await lastId();
        await expect(tokens.create(draft({ scopes: scopes as never }))).rejects.toMatchObject({ code: expect.stringMatching(/^23/) });
        const rows = await db.query<{ count: string | number }>('SELECT count(*) AS count FROM deploy_tokens WHERE id > $1', [before]);
        expect(Number(rows[0]?.count)).toBe(0);
      });

      test('refuses a direct INSERT with an unknown scope (check_violation)', async () => {
        await expect(
          db.query(
            `INSERT INTO deploy_tokens (name, username, secret_hash, repositories, scopes)
             VALUES ('x', 'direct-insert', 'h', ARRAY['a'], ARRAY['read_registry', 'sudo'])`,
          ),
        ).rejects.toMatchObject({ code: '23514' });
      });
    });

    describe('SqlRefreshTokenStore', () => {
      test('findDeployToken joins the deploy token as it is now', async () => {
        const token = await tokens.create(draft());
        const hash = uniqueHash('rt');
        await refreshTokens.create({ deployTokenId: token.id, secretGeneration: 1, tokenHash: hash, clientId: 'docker', createdAt: T0 });
        expect(await findDeployToken(hash)).toStrictEqual(token);
        const updated = await tokens.update(token.id, { scopes: ['write_registry'] }, at(1));
        expect(await findDeployToken(hash)).toStrictEqual(updated);
        const revoked = await tokens.revoke(token.id, at(2));
        expect(await findDeployToken(hash)).toStrictEqual(revoked);
      });

      test('an unknown digest is null', async () => {
        expect(await findDeployToken(uniqueHash('unknown'))).toBeNull();
      });

      test('a digest is unique', async () => {
        const token = await tokens.create(draft());
        const hash = uniqueHash('rt');
        await refreshTokens.create({ deployTokenId: token.id, secretGeneration: 1, tokenHash: hash, clientId: null, createdAt: T0 });
        await expect(refreshTokens.create({ deployTokenId: token.id, secretGeneration: 1, tokenHash: hash, clientId: null, createdAt: T0 })).rejects.toMatchObject({
          code: '23505',
        });
      });

      test('a refresh token needs an existing deploy token', async () => {
        expect(await refreshTokens.create({ deployTokenId: 987_654, secretGeneration: 1, tokenHash: uniqueHash('rt'), clientId: null, createdAt: T0 })).toBe(false);
      });

      test('a refresh token of an earlier secret generation is not found, even when its row is still there', async () => {
        const token = await tokens.create(draft());
        const hash = uniqueHash('rt');
        await refreshTokens.create({ deployTokenId: token.id, secretGeneration: 1, tokenHash: hash, clientId: null, createdAt: T0 });
        await db.query('UPDATE deploy_tokens SET secret_generation = 2 WHERE id = $1', [token.id]);
        expect(await refreshTokens.find(hash)).toBeNull();
        expect(await refreshTokens.listForDeployToken(token.id)).toEqual([]);
      });

      test('find, markUsed, listForDeployToken and delete', async () => {
        const token = await tokens.create(draft());
        const [first, second] = [uniqueHash('rt'), uniqueHash('rt')];
        await refreshTokens.create({ deployTokenId: token.id, secretGeneration: 1, tokenHash: first, clientId: 'docker', createdAt: T0 });
        await refreshTokens.create({ deployTokenId: token.id, secretGeneration: 1, tokenHash: second, clientId: null, createdAt: at(1) });
        const found = await refreshTokens.find(first);
        expect(found?.refreshToken).toMatchObject({ deployTokenId: token.id, clientId: 'docker', createdAt: T0, lastUsedAt: null });
        const id = found?.refreshToken.id as number;

        await refreshTokens.markUsed(id, at(HOUR));
        await refreshTokens.markUsed(id, at(1));
        expect((await refreshTokens.find(first))?.refreshToken.lastUsedAt).toEqual(at(HOUR));
        expect((await refreshTokens.listForDeployToken(token.id)).map((refresh) => refresh.clientId)).toEqual(['docker', null]);

        expect(await refreshTokens.delete(token.id + 1, id)).toBeNull();
        expect((await refreshTokens.delete(token.id, id))?.id).toBe(id);
        expect(await refreshTokens.find(first)).toBeNull();
        expect(await refreshTokens.find(second)).not.toBeNull();
        expect(await refreshTokens.delete(token.id, id)).toBeNull();
      });
    });

    describe('SqlAdminKeyStore', () => {
      test('create, findByHash, findById and list', async () => {
        const hash = uniqueHash('ak');
        const created = await adminKeys.create({ name: 'terraform', keyHash: hash, createdAt: T0 });
        expect(created).toStrictEqual({ id: expect.any(Number), name: 'terraform', createdAt: T0, revokedAt: null, lastUsedAt: null });
        expect(await adminKeys.findByHash(hash)).toStrictEqual(created);
        expect(await adminKeys.findById(created.id)).toStrictEqual(created);
        expect(await adminKeys.findByHash(uniqueHash('unknown'))).toBeNull();
        expect(await adminKeys.findById(987_654)).toBeNull();
        const second = await adminKeys.create({ name: 'portal', keyHash: uniqueHash('ak'), createdAt: at(1) });
        const listed = await adminKeys.list();
        expect(listed.map((key) => key.id)).toStrictEqual([...listed.map((key) => key.id)].sort((a, b) => a - b));
        expect(listed).toEqual(expect.arrayContaining([created, second]));
        expect(JSON.stringify(listed)).not.toContain(hash);
      });

      test('a key hash is unique', async () => {
        const hash = uniqueHash('ak');
        await adminKeys.create({ name: 'a', keyHash: hash, createdAt: T0 });
        await expect(adminKeys.create({ name: 'b', keyHash: hash, createdAt: T0 })).rejects.toMatchObject({ code: '23505' });
      });

      test('revoke keeps the first revocation time; unknown is null', async () => {
        const key = await adminKeys.create({ name: 'a', keyHash: uniqueHash('ak'), createdAt: T0 });
        expect(await adminKeys.revoke(key.id, at(1_000))).toStrictEqual({ ...key, revokedAt: at(1_000) });
        expect(await adminKeys.revoke(key.id, at(9_000))).toStrictEqual({ ...key, revokedAt: at(1_000) });
        expect((await adminKeys.findById(key.id))?.revokedAt).toStrictEqual(at(1_000));
        expect(await adminKeys.revoke(987_654, at(1))).toBeNull();
      });

      test('markUsed sets the last use and never moves it back', async () => {
        const key = await adminKeys.create({ name: 'a', keyHash: uniqueHash('ak'), createdAt: T0 });
        await adminKeys.markUsed(key.id, at(5_000));
        expect((await adminKeys.findById(key.id))?.lastUsedAt).toStrictEqual(at(5_000));
        await adminKeys.markUsed(key.id, at(4_000));
        expect((await adminKeys.findById(key.id))?.lastUsedAt).toStrictEqual(at(5_000));
        await adminKeys.markUsed(key.id, at(6_000));
        expect((await adminKeys.findById(key.id))?.lastUsedAt).toStrictEqual(at(6_000));
        await expect(adminKeys.markUsed(987_654, at(1))).resolves.toBeUndefined();
      });

      test('the database refuses an empty name', async () => {
        await expect(adminKeys.create({ name: '', keyHash: uniqueHash('ak'), createdAt: T0 })).rejects.toMatchObject({ code: '23514' });
      });
    });

    describe('SqlAuditLog', () => {
      const event = (overrides: Partial<AuditEvent> = {}): AuditEvent => ({
        occurredAt: T0,
        event: 'token.issued',
        actor: 'ci-bot',
        deployTokenId: 1,
        username: 'ci-bot',
        clientIp: '10.0.0.1',
        details: {},
        ...overrides,
      });

      /** Only the events this test wrote: ids above the highest before it. */
      const lastEventId = async () => {
        const rows = await db.query<{ id: string | number | null }>('SELECT max(id) AS id FROM audit_events');
        return Number(rows[0]?.id ?? 0);
      };

      test('records many events in one call, with null fields and nested JSON details', async () => {
        const before = await lastEventId();
        const details = {
          granted: [{ type: 'repository', name: 'team/app', actions: ['pull', 'push'] }],
          refused: [],
          nested: { deeper: { list: [1, 2.5, null, true, 'x'], empty: {} } },
          quote: `it's "quoted" \\ back\nslash`,
          unicode: 'équipe ✓ 日本',
        };
        const events: AuditEvent[] = [
          event({ details }),
          event({ event: 'auth.failed', actor: null, deployTokenId: null, username: null, clientIp: null, details: { reason: 'invalid_credentials' } }),
          event({ event: 'admin_key.created', actor: 'cli', deployTokenId: null, username: null, clientIp: null, occurredAt: at(1_234) }),
        ];
        await auditLog.record(events);
        const recorded = await auditLog.query({ limit: 10, beforeId: (await lastEventId()) + 1 });
        const mine = recorded.filter((item) => item.id > before);
        expect(mine).toHaveLength(3);
        expect(mine.map(({ id: _id, ...rest }) => rest)).toStrictEqual([...events].reverse());
        expect(mine.map((item) => item.id)).toStrictEqual([before + 3, before + 2, before + 1]);
      });

      test('a NUL sent by a client (username, client id) does not fail the batch: it is stored as U+FFFD', async () => {
        const before = await lastEventId();
        await auditLog.record([
          event({ event: 'token.created', username: 'fine' }),
          event({
            event: 'auth.failed',
            actor: 'a\u0000',
            username: 'evil\u0000name',
            clientIp: '10.0.0.1\u0000',
            details: { reason: 'invalid_credentials', clientId: 'x\u0000y', nested: ['\u0000'], literal: '\\u0000' },
          }),
        ]);
        const mine = (await auditLog.query({ limit: 10 })).filter((item) => item.id > before);
        expect(mine.map((item) => [item.event, item.actor, item.username, item.clientIp, item.details])).toStrictEqual([
          [
            'auth.failed',
            'a\uFFFD',
            'evil\uFFFDname',
            '10.0.0.1\uFFFD',
            { reason: 'invalid_credentials', clientId: 'x\uFFFDy', nested: ['\uFFFD'], literal: '\\u0000' },
          ],
          ['token.created', 'ci-bot', 'fine', '10.0.0.1', {}],
        ]);
      });

      test('an empty batch writes nothing', async () => {
        const before = await lastEventId();
        await auditLog.record([]);
        expect(await lastEventId()).toBe(before);
      });

      test('query filters on event, deploy token, username, since and before; newest first; limit', async () => {
        const before = await lastEventId();
        await auditLog.record([
          event({ event: 'token.created', deployTokenId: 501, username: 'alpha', occurredAt: at(HOUR) }),
          event({ event: 'token.issued', deployTokenId: 501, username: 'alpha', occurredAt: at(2 * HOUR) }),
          event({ event: 'auth.failed', deployTokenId: null, username: 'alpha', occurredAt: at(3 * HOUR) }),
          event({ event: 'token.issued', deployTokenId: 502, username: 'beta', occurredAt: at(4 * HOUR) }),
          event({ event: 'token.revoked', deployTokenId: 501, username: 'alpha', occurredAt: at(5 * HOUR) }),
        ]);
        const [e1, e2, e3, e4, e5] = [1, 2, 3, 4, 5].map((n) => before + n) as [number, number, number, number, number];
        const ids = async (query: Omit<Parameters<SqlAuditLog['query']>[0], 'limit'> & { limit?: number }) =>
          (await auditLog.query({ limit: 100, ...query })).filter((item) => item.id > before).map((item) => item.id);

        expect(await ids({})).toStrictEqual([e5, e4, e3, e2, e1]);
        expect(await ids({ event: 'token.issued' })).toStrictEqual([e4, e2]);
        expect(await ids({ deployTokenId: 501 })).toStrictEqual([e5, e2, e1]);
        expect(await ids({ username: 'alpha' })).toStrictEqual([e5, e3, e2, e1]);
        expect(await ids({ since: at(3 * HOUR) })).toStrictEqual([e5, e4, e3]);
        expect(await ids({ beforeId: e4 })).toStrictEqual([e3, e2, e1]);
        expect(await ids({ event: 'token.issued', deployTokenId: 501 })).toStrictEqual([e2]);
        expect(await ids({ username: 'alpha', since: at(2 * HOUR), beforeId: e5 })).toStrictEqual([e3, e2]);
        expect(await ids({ event: 'admin_key.revoked' })).toStrictEqual([]);
        expect((await auditLog.query({ limit: 2 })).map((item) => item.id)).toStrictEqual([e5, e4]);
        expect((await auditLog.query({ limit: 2, beforeId: e4 })).map((item) => item.id)).toStrictEqual([e3, e2]);
      });

      test('a recorded event reads back with Date, numbers and parsed details', async () => {
        await auditLog.record([event({ deployTokenId: 777, occurredAt: at(999), details: { n: 1 } })]);
        const [latest] = await auditLog.query({ limit: 1, deployTokenId: 777 });
        expect(latest?.occurredAt).toBeInstanceOf(Date);
        expect(latest?.occurredAt).toStrictEqual(at(999));
        expect(latest?.deployTokenId).toBe(777);
        expect(typeof latest?.id).toBe('number');
        expect(latest?.details).toStrictEqual({ n: 1 });
      });
    });
  });
}
