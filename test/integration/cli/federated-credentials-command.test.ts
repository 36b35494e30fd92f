import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '../../../src/adapters/config/load-config.js';
import type { FederatedCredentialView } from '../../../src/app/federation/federated-credential-view.js';
import { createRegauthApp, startRegauth, type RegauthApp, type RunningRegauth } from '../../../src/composition-root.js';
import { trustPolicy, verifiedToken } from '../../support/federation-fixtures.js';
import { createPostgresTestSchema, postgresAvailable, type PostgresTestSchema } from '../../support/postgres.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { environmentIn, regauth } from './cli-harness.js';

const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

/** Where the CLI's store lives, and the service on the same store. */
interface Setup {
  readonly env: NodeJS.ProcessEnv;
  withRegauth<T>(work: (service: RegauthApp) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

type Mode = readonly [name: string, start: (dir: string) => Promise<Setup>];

function openedPerCall(env: NodeJS.ProcessEnv, dir: string): Setup['withRegauth'] {
  return async (work) => {
    const service = await createRegauthApp(loadConfig(env, dir), { logger: new RecordingLogger() });
    try {
      return await work(service);
    } finally {
      await service.close();
    }
  };
}

const embedded: Mode = [
  'the embedded store, opened by the CLI itself',
  async (dir) => {
    const env = environmentIn(dir);
    return { env, withRegauth: openedPerCall(env, dir), close: async () => undefined };
  },
];

const throughServer: Mode = [
  'a running server holding the embedded store (control socket)',
  async (dir) => {
    const env = environmentIn(dir, { REGAUTH_PORT: '0', REGAUTH_HOST: '127.0.0.1' });
    const running: RunningRegauth = await startRegauth(loadConfig(env, dir), { logger: new RecordingLogger() });
    return { env, withRegauth: (work) => work(running.regauth), close: () => running.close() };
  },
];

const postgres = await postgresAvailable();
const onPostgres: Mode = [
  'PostgreSQL',
  async (dir) => {
    const schema: PostgresTestSchema = await createPostgresTestSchema();
    const env = environmentIn(dir, { DATABASE_URL: schema.url });
    return { env, withRegauth: openedPerCall(env, dir), close: () => schema.drop() };
  },
];

const MODES: readonly Mode[] = postgres ? [embedded, throughServer, onPostgres] : [embedded, throughServer];

describe.each(MODES)('regauth federated-credentials on %s', (_name, start) => {
  let dir: string;
  let setup: Setup;
  let minted: { username: string; password: string; id: number }[] = [];
  const run = (...argv: string[]) => regauth(setup.env, dir, argv);
  const login = (credential: { username: string; password: string }) =>
    setup.withRegauth(async (service) =>
      (await request(service.app).get('/token').query({ service: 'registry' }).set('Authorization', basic(credential.username, credential.password))).status,
    );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rgf-'));
    setup = await start(dir);
    minted = await setup.withRegauth(async (service) => {
      const mint = async (jwtId: string) => {
        const result = await service.federation?.credentials.mint({
          verified: verifiedToken({ jwtId }),
          policy: trustPolicy(),
          claims: { repository: 'octo-org/app', run_id: jwtId },
        });
        if (result === undefined) throw new Error('no federation on this store');
        return { username: result.username, password: result.password, id: result.credential.id };
      };
      return [await mint('first'), await mint('second')];
    });
  }, 60_000);

  afterAll(async () => {
    await setup?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('list --json: every minted credential, with claims and status, never a password', async () => {
    const result = await run('federated-credentials', 'list', '--json');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const listed = JSON.parse(result.stdout) as FederatedCredentialView[];
    expect(listed.map((credential) => [credential.username, credential.status, credential.claims.run_id])).toEqual([
      [minted[0]?.username, 'active', 'first'],
      [minted[1]?.username, 'active', 'second'],
    ]);
    for (const credential of minted) expect(result.stdout).not.toContain(credential.password);
  });

  test('list: a table with a header row and one row per credential', async () => {
    const result = await run('federated-credentials', 'list');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+USERNAME\s+ISSUER\s+POLICY\s+SUBJECT\s+SCOPES\s+REPOSITORIES\s+STATUS\s+EXPIRES\s+LAST USED$/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[1])).toEqual(minted.map((credential) => credential.username));
  });

  test('revoke <username>: the credential stops working at once; the other goes on', async () => {
    const [first, second] = minted as [(typeof minted)[number], (typeof minted)[number]];
    expect(await login(first)).toBe(200);
    const result = await run('federated-credentials', 'revoke', first.username);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(`Revoked minted credential ${first.id} (${first.username}) of repo:octo-org/app:ref:refs/heads/main.\n`);
    expect(await login(first)).toBe(401);
    expect(await login(second)).toBe(200);

    const listed = JSON.parse((await run('federated-credentials', 'list', '--json', '--status', 'revoked')).stdout) as FederatedCredentialView[];
    expect(listed.map((credential) => credential.username)).toEqual([first.username]);
  });

  test('revoke <id> --json prints the view; an unknown credential exits 1 with the reason', async () => {
    const [, second] = minted as [(typeof minted)[number], (typeof minted)[number]];
    const result = await run('federated-credentials', 'revoke', String(second.id), '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ id: second.id, status: 'revoked' });

    const unknown = await run('federated-credentials', 'revoke', 'oidc-424242');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no minted credential with id or username "oidc-424242"');
  });
});
