import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { errorBody } from '../../../src/adapters/http/error-responses.js';
import { loadConfig } from '../../../src/adapters/config/load-config.js';
import { startRegauth, type RunningRegauth } from '../../../src/composition-root.js';
import { InMemoryDeployTokenStore, inMemoryStores, TransparentHasher } from '../../support/fake-ports.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { createTestRegauth, type TestRegauth } from '../../support/regauth-app.js';
import { selfSignedServerCertificate } from '../../support/tls-certificate.js';

const NOT_FOUND = errorBody('not_found', 'no such endpoint');
const bearer = (key: string) => `Bearer ${key}`;

function httpsStatus(url: string, ca: string): Promise<number> {
  return new Promise((resolve, reject) => {
    httpsGet(url, { ca }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).on('error', reject);
  });
}

describe('with server.adminListener set', () => {
  let service: TestRegauth;
  let adminKey: string;

  beforeAll(async () => {
    service = await createTestRegauth(
      { stores: inMemoryStores(new InMemoryDeployTokenStore()), hasher: new TransparentHasher() },
      { REGAUTH_ADMIN_PORT: '0' },
    );
    adminKey = (await service.regauth.adminKeys.create('terraform')).key;
  }, 60_000);

  afterAll(async () => {
    await service?.close();
  });

  const client = () => request(service.regauth.app);
  const admin = () => request(service.regauth.adminApp as NonNullable<TestRegauth['regauth']['adminApp']>);

  test.each(['/metrics', '/api/v1/openapi.json', '/api/v1/deploy-tokens', '/api/v1/audit-events'])(
    'the service port answers %s with 404, even with an admin key',
    async (path) => {
      const response = await client().get(path).set('Authorization', bearer(adminKey)).expect(404);
      expect(response.body).toEqual(NOT_FOUND);
    },
  );

  test('the service port still issues tokens and answers the health routes', async () => {
    const token = await client().get('/token').query({ service: 'registry' }).expect(200);
    expect(typeof (token.body as { token?: unknown }).token).toBe('string');
    await client().get('/healthz').expect(200);
    await client().get('/readyz').expect(200);
  });

  test('the admin app serves the admin API and the metrics, and counts what the service port did', async () => {
    await client().get('/token').query({ service: 'registry' }).expect(200);
    const tokens = await admin().get('/api/v1/deploy-tokens').set('Authorization', bearer(adminKey)).expect(200);
    expect(tokens.body).toEqual({ items: [], total: 0, offset: 0, next: null });
    await admin().get('/api/v1/deploy-tokens').expect(401);
    await admin().get('/api/v1/openapi.json').expect(200);
    const metrics = await admin().get('/metrics').expect(200);
    expect(metrics.text).toMatch(/^regauth_tokens_issued_total\{outcome="no_scope",grant="anonymous"\} [1-9]/m);
    await admin().get('/healthz').expect(200);
  });

  test('the admin app has no token endpoint', async () => {
    const response = await admin().get('/token').query({ service: 'registry' }).expect(404);
    expect(response.body).toEqual(NOT_FOUND);
  });
});

describe('without server.adminListener', () => {
  let service: TestRegauth;

  beforeAll(async () => {
    service = await createTestRegauth({ stores: inMemoryStores(new InMemoryDeployTokenStore()), hasher: new TransparentHasher() });
  }, 60_000);

  afterAll(async () => {
    await service?.close();
  });

  test('there is no admin app, and the service port serves the admin API and the metrics', async () => {
    expect(service.regauth.adminApp).toBeNull();
    await request(service.regauth.app).get('/api/v1/openapi.json').expect(200);
    await request(service.regauth.app).get('/metrics').expect(200);
  });
});

describe('the started service with an admin listener', () => {
  let dir: string;
  let running: RunningRegauth;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'regauth-admin-listener-'));
    const config = loadConfig(
      {
        REGAUTH_HOST: '127.0.0.1',
        REGAUTH_PORT: '0',
        REGAUTH_ADMIN_HOST: '127.0.0.1',
        REGAUTH_ADMIN_PORT: '0',
        REGAUTH_KEYS_DIR: join(dir, 'keys'),
        REGAUTH_DATA_DIR: join(dir, 'data'),
      },
      dir,
    );
    running = await startRegauth(config, {
      logger: new RecordingLogger(),
      stores: inMemoryStores(new InMemoryDeployTokenStore()),
      hasher: new TransparentHasher(),
    });
  }, 60_000);

  afterAll(async () => {
    await running?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('listens on a second port that serves the metrics the service port refuses', async () => {
    expect(running.adminUrl).not.toBeNull();
    expect(running.adminUrl).not.toBe(running.url);
    expect((await fetch(`${running.url}/metrics`)).status).toBe(404);
    expect((await fetch(`${running.url}/api/v1/openapi.json`)).status).toBe(404);
    expect((await fetch(`${running.adminUrl}/metrics`)).status).toBe(200);
    expect((await fetch(`${running.adminUrl}/api/v1/openapi.json`)).status).toBe(200);
    expect((await fetch(`${running.adminUrl}/token?service=registry`)).status).toBe(404);
    expect((await fetch(`${running.url}/token?service=registry`)).status).toBe(200);
  });
});

describe('the admin listener with TLS on the service port', () => {
  let dir: string;
  let running: RunningRegauth;
  const certificate = selfSignedServerCertificate();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'regauth-admin-tls-'));
    await writeFile(join(dir, 'tls.crt'), certificate.certificatePem);
    await writeFile(join(dir, 'tls.key'), certificate.privateKeyPem, { mode: 0o600 });
    const config = loadConfig(
      {
        REGAUTH_HOST: '127.0.0.1',
        REGAUTH_PORT: '0',
        REGAUTH_ADMIN_HOST: '127.0.0.1',
        REGAUTH_ADMIN_PORT: '0',
        REGAUTH_TLS_CERT_FILE: 'tls.crt',
        REGAUTH_TLS_KEY_FILE: 'tls.key',
        REGAUTH_KEYS_DIR: join(dir, 'keys'),
        REGAUTH_DATA_DIR: join(dir, 'data'),
      },
      dir,
    );
    running = await startRegauth(config, {
      logger: new RecordingLogger(),
      stores: inMemoryStores(new InMemoryDeployTokenStore()),
      hasher: new TransparentHasher(),
    });
  }, 60_000);

  afterAll(async () => {
    await running?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('speaks HTTPS with the same certificate: admin keys never cross the network in the clear', async () => {
    expect(running.adminUrl).toMatch(/^https:\/\//);
    expect(await httpsStatus(`${running.adminUrl}/metrics`, certificate.certificatePem)).toBe(200);
    const plain = await fetch(`${(running.adminUrl as string).replace('https:', 'http:')}/metrics`).then(
      (response) => response.status,
      () => 'refused',
    );
    expect(plain).not.toBe(200);
  });
});
