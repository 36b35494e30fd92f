import request from 'supertest';
import type { RegistryTokenSigner } from '../../../src/app/ports.js';
import { createPostgresTestSchema, postgresAvailable, type PostgresTestSchema } from '../../support/postgres.js';
import { createTestRegauth, type TestRegauth } from '../../support/regauth-app.js';

const available = await postgresAvailable();
const describePostgres = available ? describe : describe.skip;

const SERVICE = 'registry';
const LOGINS = 17;

/** Holds every signature until released: logins that verified the old secret wait between the check and the refresh token. */
class GatedSigner implements RegistryTokenSigner {
  readonly keyId = 'TEST';
  waiting = 0;
  private release: (() => void) | null = null;
  private gate: Promise<void> | null = null;

  close(): void {
    this.gate = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  open(): void {
    this.release?.();
    this.gate = null;
  }

  async sign(claims: object): Promise<string> {
    if (this.gate !== null) {
      this.waiting += 1;
      await this.gate;
    }
    return Buffer.from(JSON.stringify(claims)).toString('base64url');
  }
}

async function until(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 500 && !condition(); attempt += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!condition()) throw new Error('timed out waiting');
}

function raceSuite(storeName: string, env: () => Promise<{ env: NodeJS.ProcessEnv; drop(): Promise<void> }>) {
  describe(`a rotation ends every login that raced it (${storeName}, credential cache off)`, () => {
    let service: TestRegauth;
    let signer: GatedSigner;
    let drop: () => Promise<void>;

    const offlineLogin = (username: string, secret: string) =>
      request(service.regauth.app)
        .post('/token')
        .type('form')
        .send({ grant_type: 'password', access_type: 'offline', client_id: 'race', username, password: secret, service: SERVICE });
    const refresh = (refreshToken: string) =>
      request(service.regauth.app)
        .post('/token')
        .type('form')
        .send({ grant_type: 'refresh_token', refresh_token: refreshToken, service: SERVICE, scope: 'repository:team/app:push,pull' });

    beforeAll(async () => {
      const database = await env();
      drop = database.drop;
      signer = new GatedSigner();
      service = await createTestRegauth(
        { signer },
        { ...database.env, REGAUTH_CREDENTIAL_CACHE_TTL: '0', REGAUTH_CREDENTIAL_CACHE_FAILURE_TTL: '0', REGAUTH_BRUTE_FORCE_PROTECTION: 'false' },
      );
    }, 60_000);

    afterAll(async () => {
      signer?.open();
      await service?.close();
      await drop?.();
    });

    test('logins that verified the old secret before the rotation, and finish after it, get no refresh token that works', async () => {
      const created = await service.regauth.admin.create({ name: 'race', repositories: ['team/app'], scopes: ['write_registry'] });
      signer.waiting = 0;
      signer.close();
      const logins = Array.from({ length: LOGINS }, () => offlineLogin(created.token.username, created.secret).then((response) => response));
      await until(() => signer.waiting === LOGINS);

      await service.regauth.admin.rotate(created.token.username);
      signer.open();
      const answered = await Promise.all(logins);

      const refreshTokens = answered.flatMap((response) => (typeof response.body.refresh_token === 'string' ? [response.body.refresh_token as string] : []));
      const survivors = [];
      for (const refreshToken of refreshTokens) {
        const response = await refresh(refreshToken);
        if (response.status === 200) survivors.push(response.body);
      }
      expect(survivors).toEqual([]);
      // Every login either failed or got a refresh token that is refused now.
      for (const response of answered) expect([200, 401]).toContain(response.status);
    });

    test('offline logins running alongside a rotation: zero survivors', async () => {
      const created = await service.regauth.admin.create({ name: 'race-free', repositories: ['team/app'], scopes: ['write_registry'] });
      const logins = Array.from({ length: LOGINS }, () => offlineLogin(created.token.username, created.secret).then((response) => response));
      const rotation = new Promise((resolve) => setTimeout(resolve, 5)).then(() => service.regauth.admin.rotate(created.token.username));
      const [answered] = await Promise.all([Promise.all(logins), rotation]);

      for (const response of answered) {
        if (typeof response.body.refresh_token !== 'string') continue;
        await refresh(response.body.refresh_token as string).expect(401);
      }
    });

    test('a refresh token made from the current secret still works', async () => {
      const created = await service.regauth.admin.create({ name: 'calm', repositories: ['team/app'], scopes: ['write_registry'] });
      const login = await offlineLogin(created.token.username, created.secret).expect(200);
      await refresh(login.body.refresh_token as string).expect(200);
      const rotated = await service.regauth.admin.rotate(created.token.username);
      await refresh(login.body.refresh_token as string).expect(401);
      const again = await offlineLogin(created.token.username, rotated.secret).expect(200);
      await refresh(again.body.refresh_token as string).expect(200);
    });
  });
}

describePostgres('on PostgreSQL', () => {
  let schema: PostgresTestSchema;
  raceSuite('PostgreSQL', async () => {
    schema = await createPostgresTestSchema();
    return { env: { DATABASE_URL: schema.url }, drop: () => schema.drop() };
  });
});

describe('on the embedded store', () => {
  raceSuite('PGlite', async () => ({ env: {}, drop: async () => undefined }));
});
