import { openEmbeddedDatabase } from '../../../src/adapters/store/embedded-database.js';
import { migrate } from '../../../src/adapters/store/migrator.js';
import { openPostgresDatabase } from '../../../src/adapters/store/postgres-database.js';
import type { SqlDatabase } from '../../../src/adapters/store/sql-database.js';
import { SqlTrustedIssuerStore } from '../../../src/adapters/store/sql-trusted-issuer-store.js';
import { SqlTrustPolicyStore } from '../../../src/adapters/store/sql-trust-policy-store.js';
import { NameTakenError } from '../../../src/app/federation/federation-admin-errors.js';
import type { NewTrustedIssuer, NewTrustPolicy } from '../../../src/app/federation/federation-ports.js';
import { createPostgresTestSchema, postgresAvailable, type PostgresTestSchema } from '../../support/postgres.js';
import { RecordingLogger } from '../../support/recording-logger.js';

const CREATED = new Date('2026-12-03T10:00:00.000Z');
const LATER = new Date('2026-12-03T11:00:00.000Z');

const GITHUB: NewTrustedIssuer = {
  name: 'github',
  kind: 'github',
  issuerUrl: 'https://token.actions.githubusercontent.com',
  audience: 'https://auth.example.com',
  keySource: { kind: 'discovery' },
  algorithms: ['RS256'],
  leewaySeconds: 60,
  maxTokenAgeSeconds: null,
  replayMode: 'once',
  multiTenant: true,
  enabled: true,
  createdAt: CREATED,
};

const CLUSTER: NewTrustedIssuer = {
  ...GITHUB,
  name: 'cluster',
  kind: 'kubernetes',
  issuerUrl: 'https://kubernetes.default.svc',
  keySource: { kind: 'inline', jwks: { keys: [{ kid: 'k1', kty: 'RSA', n: 'AQAB', e: 'AQAB' }] } },
  maxTokenAgeSeconds: 3600,
  replayMode: 'idempotent',
  multiTenant: false,
};

function policyOf(issuerId: number, name = 'deploy'): NewTrustPolicy {
  return {
    name,
    issuerId,
    conditions: [
      { claim: 'repository_owner_id', operator: 'eq', values: ['1234'] },
      { claim: 'job_workflow_ref', operator: 'glob', values: ['acme/app/.github/workflows/deploy.yml@**'] },
    ],
    repositories: ['acme/app', 'acme/*-cache'],
    scopes: ['read_registry', 'write_registry'],
    credentialLifetimeSeconds: 900,
    allowForkTriggers: false,
    expiresAt: null,
    enabled: true,
    createdAt: CREATED,
  };
}

function federationStoreContract(label: string, openDatabase: () => Promise<SqlDatabase>): void {
  describe(`trusted issuers and trust policies on ${label}`, () => {
    let db: SqlDatabase;
    let issuers: SqlTrustedIssuerStore;
    let policies: SqlTrustPolicyStore;

    beforeAll(async () => {
      db = await openDatabase();
      await migrate(db);
      issuers = new SqlTrustedIssuerStore(db);
      policies = new SqlTrustPolicyStore(db);
    });

    afterAll(async () => {
      await db?.close();
    });

    test('an issuer is stored as given and found by id, name and exact URL only', async () => {
      const created = await issuers.create(GITHUB);
      const { createdAt: _createdAt, ...fields } = GITHUB;
      expect(created).toEqual({ ...fields, id: expect.any(Number), createdAt: CREATED, updatedAt: null });
      expect(await issuers.findById(created.id)).toEqual(created);
      expect(await issuers.findByName('github')).toEqual(created);
      expect(await issuers.findByIssuerUrl('https://token.actions.githubusercontent.com')).toEqual(created);
      expect(await issuers.findByIssuerUrl('https://token.actions.githubusercontent.com/')).toBeNull();
      expect(await issuers.findByIssuerUrl('https://token.actions.githubusercontent.com.evil.com')).toBeNull();
      expect(await issuers.findByName('GitHub')).toBeNull();
    });

    test('an inline key set round-trips as JSON', async () => {
      const created = await issuers.create(CLUSTER);
      expect(created.keySource).toEqual(CLUSTER.keySource);
      expect(created).toMatchObject({ replayMode: 'idempotent', maxTokenAgeSeconds: 3600, multiTenant: false });
      expect((await issuers.list()).map((issuer) => issuer.name)).toEqual(['github', 'cluster']);
    });

    test('a second issuer with the same name or the same URL is refused', async () => {
      await expect(issuers.create({ ...CLUSTER, issuerUrl: 'https://other.example.com' })).rejects.toBeInstanceOf(NameTakenError);
      await expect(issuers.create({ ...CLUSTER, name: 'other' })).rejects.toBeInstanceOf(NameTakenError);
      expect(await issuers.list()).toHaveLength(2);
    });

    test('update changes only what it is given and stamps updated_at; an unknown id is null', async () => {
      const github = (await issuers.findByName('github'))!;
      const updated = await issuers.update(github.id, { enabled: false, leewaySeconds: 30, keySource: { kind: 'jwks_uri', uri: 'https://x.example.com/jwks' } }, LATER);
      expect(updated).toEqual({ ...github, enabled: false, leewaySeconds: 30, keySource: { kind: 'jwks_uri', uri: 'https://x.example.com/jwks' }, updatedAt: LATER });
      await expect(issuers.update(github.id, { name: 'cluster' }, LATER)).rejects.toBeInstanceOf(NameTakenError);
      expect(await issuers.update(999_999, { enabled: true }, LATER)).toBeNull();
    });

    test('a policy is stored with its conditions and grants, listed per issuer in id order', async () => {
      const github = (await issuers.findByName('github'))!;
      const cluster = (await issuers.findByName('cluster'))!;
      const first = await policies.create(policyOf(github.id, 'deploy'));
      const second = await policies.create({ ...policyOf(cluster.id, 'pull'), conditions: [{ claim: 'kubernetes.io/namespace', operator: 'in', values: ['a', 'b'] }] });
      const third = await policies.create(policyOf(github.id, 'release'));
      const { createdAt: _createdAt, ...fields } = policyOf(github.id, 'deploy');
      expect(first).toEqual({ ...fields, id: expect.any(Number), createdAt: CREATED, updatedAt: null, lastUsedAt: null });
      expect(await policies.findById(first.id)).toEqual(first);
      expect(await policies.findByName('pull')).toEqual(second);
      expect((await policies.listForIssuer(github.id)).map((policy) => policy.name)).toEqual(['deploy', 'release']);
      expect((await policies.list()).map((policy) => policy.id)).toEqual([first.id, second.id, third.id]);
      await expect(policies.create(policyOf(github.id, 'deploy'))).rejects.toBeInstanceOf(NameTakenError);
    });

    test('a policy of an issuer that does not exist is refused by the database', async () => {
      await expect(policies.create(policyOf(999_999, 'orphan'))).rejects.toThrow();
      expect(await policies.findByName('orphan')).toBeNull();
    });

    test('policy update and markUsed, which never moves last use backwards', async () => {
      const deploy = (await policies.findByName('deploy'))!;
      const expiresAt = new Date('2027-01-01T00:00:00.000Z');
      const updated = await policies.update(deploy.id, { scopes: ['read_registry'], allowForkTriggers: true, expiresAt }, LATER);
      expect(updated).toEqual({ ...deploy, scopes: ['read_registry'], allowForkTriggers: true, expiresAt, updatedAt: LATER });
      await policies.markUsed(deploy.id, LATER);
      await policies.markUsed(deploy.id, CREATED);
      expect((await policies.findById(deploy.id))?.lastUsedAt).toEqual(LATER);
      expect(await policies.update(999_999, { enabled: false }, LATER)).toBeNull();
    });
  });
}

federationStoreContract('embedded PGlite', () => openEmbeddedDatabase(null));

const schemas: PostgresTestSchema[] = [];
afterAll(async () => {
  await Promise.all(schemas.map((schema) => schema.drop()));
});

if (await postgresAvailable()) {
  federationStoreContract('PostgreSQL', async () => {
    const schema = await createPostgresTestSchema();
    schemas.push(schema);
    return openPostgresDatabase({ connectionString: schema.url, poolSize: 2, connectTimeoutMs: 3000, queryTimeoutMs: 5000 }, new RecordingLogger());
  });
} else {
  test.skip('PostgreSQL federation stores (no PostgreSQL here)', () => undefined);
}
