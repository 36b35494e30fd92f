import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { composeSecret, SECRET_RANDOM_LENGTH } from '../../../src/core/deploy-token-secret.js';
import { InMemoryDeployTokenStore, inMemoryStores, TransparentHasher } from '../../support/fake-ports.js';
import { createPostgresTestSchema, postgresAvailable, type PostgresTestSchema } from '../../support/postgres.js';
import { createTestRegauth, type TestRegauth } from '../../support/regauth-app.js';

const SERVICE = 'registry';
const basic = (username: string, secret: string) => `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}`;

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Parses the text format's sample lines (our label values hold no commas or quotes). */
function parseSamples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (match === null) throw new Error(`not a sample line: ${line}`);
      const labels = Object.fromEntries(
        (match[2] ?? '')
          .split(',')
          .filter((pair) => pair !== '')
          .map((pair) => {
            const [key, quoted] = pair.split('=') as [string, string];
            return [key, quoted.slice(1, -1)];
          }),
      );
      return { name: match[1] as string, labels, value: Number(match[3]) };
    });
}

/** The value of the one sample with exactly these labels; undefined when there is none. */
function valueOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  return samples.find((sample) => sample.name === name && JSON.stringify(Object.entries(sample.labels).sort()) === wanted)?.value;
}

async function scrape(service: TestRegauth, path = '/metrics'): Promise<Sample[]> {
  const response = await request(service.regauth.app).get(path).expect(200);
  expect(response.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parseSamples(response.text);
}

describe('GET /metrics', () => {
  let service: TestRegauth;
  let reader: string;

  beforeAll(async () => {
    service = await createTestRegauth({ stores: inMemoryStores(new InMemoryDeployTokenStore()), hasher: new TransparentHasher() });
    const created = await service.regauth.admin.create({ name: 'cluster', repositories: ['team/app', 'team/base'], scopes: ['read_registry'] });
    reader = basic(created.token.username, created.secret);
  }, 60_000);

  afterAll(async () => {
    await service?.close();
  });

  const token = (authorization: string, ...scopes: string[]) =>
    request(service.regauth.app).get('/token').query({ service: SERVICE, scope: scopes }).set('Authorization', authorization);

  test('counts tokens by outcome, actions granted and refused, and failed logins, as the requests happen', async () => {
    const before = await scrape(service);
    expect(valueOf(before, 'regauth_tokens_issued_total', { outcome: 'granted', grant: 'password' })).toBeUndefined();

    await token(reader, 'repository:team/app:pull', 'repository:team/base:pull').expect(200);
    await token(reader, 'repository:team/app:pull,push').expect(200);
    await token(basic('deploy-token-1', composeSecret(randomBytes(SECRET_RANDOM_LENGTH)))).expect(401);
    await request(service.regauth.app).get('/token').query({ service: SERVICE, scope: 'repository:team/app:push' }).expect(200);

    const after = await scrape(service);
    expect(valueOf(after, 'regauth_tokens_issued_total', { outcome: 'granted', grant: 'password' })).toBe(1);
    expect(valueOf(after, 'regauth_tokens_issued_total', { outcome: 'partial', grant: 'password' })).toBe(1);
    expect(valueOf(after, 'regauth_tokens_issued_total', { outcome: 'denied', grant: 'anonymous' })).toBe(1);
    expect(valueOf(after, 'regauth_access_granted_total', { type: 'repository', action: 'pull' })).toBe(3);
    expect(valueOf(after, 'regauth_access_granted_total', { type: 'repository', action: 'push' })).toBeUndefined();
    expect(valueOf(after, 'regauth_access_refused_total', { type: 'repository', action: 'push' })).toBe(2);
    expect(valueOf(after, 'regauth_login_failures_total', { reason: 'invalid_credentials', grant: 'password' })).toBe(1);
    expect(valueOf(after, 'regauth_audit_events_total', { event: 'token.issued' })).toBe(3);
    expect(valueOf(after, 'regauth_audit_events_total', { event: 'token.created' })).toBe(1);
    expect(valueOf(after, 'regauth_lockouts_total')).toBe(0);
  });

  test('times requests in a histogram by method, route and status', async () => {
    const before = await scrape(service);
    const count = (labels: Record<string, string>) => valueOf(before, 'regauth_http_request_duration_seconds_count', labels) ?? 0;
    const tokens200 = count({ method: 'GET', route: 'token', status: '200' });
    const tokens401 = count({ method: 'GET', route: 'token', status: '401' });

    await token(reader, 'repository:team/app:pull').expect(200);
    await token(basic('nobody', composeSecret(randomBytes(SECRET_RANDOM_LENGTH)))).expect(401);
    await request(service.regauth.app).get('/healthz').expect(200);
    await request(service.regauth.app).get('/api/v1/deploy-tokens').expect(401);

    const after = await scrape(service);
    const labels = { method: 'GET', route: 'token', status: '200' };
    expect(valueOf(after, 'regauth_http_request_duration_seconds_count', labels)).toBe(tokens200 + 1);
    expect(valueOf(after, 'regauth_http_request_duration_seconds_count', { ...labels, status: '401' })).toBe(tokens401 + 1);
    expect(valueOf(after, 'regauth_http_request_duration_seconds_count', { method: 'GET', route: 'health', status: '200' })).toBe(1);
    expect(valueOf(after, 'regauth_http_request_duration_seconds_count', { method: 'GET', route: 'admin_api', status: '401' })).toBe(1);
    expect(valueOf(after, 'regauth_http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(tokens200 + 1);
    expect(valueOf(after, 'regauth_http_request_duration_seconds_sum', labels)).toBeGreaterThan(0);
    // The scrapes before count too.
    expect(valueOf(after, 'regauth_http_request_duration_seconds_count', { method: 'GET', route: 'metrics', status: '200' })).toBeGreaterThan(0);
  });

  test('any path outside the known routes is "other": a client cannot create label values', async () => {
    const path = `/random-${randomBytes(6).toString('hex')}`;
    const before = await scrape(service);
    const others = valueOf(before, 'regauth_http_request_duration_seconds_count', { method: 'GET', route: 'other', status: '404' }) ?? 0;
    const routes = (samples: readonly Sample[]) => new Set(samples.map((sample) => sample.labels.route).filter((route) => route !== undefined));

    await request(service.regauth.app).get(path).expect(404);
    await request(service.regauth.app).get(`${path}/deeper?x=1`).expect(404);
    await request(service.regauth.app).get('/token/extra').expect(404);
    const response = await request(service.regauth.app).get('/metrics').expect(200);

    const after = parseSamples(response.text);
    expect(response.text).not.toContain(path.slice(1));
    expect(valueOf(after, 'regauth_http_request_duration_seconds_count', { method: 'GET', route: 'other', status: '404' })).toBe(others + 3);
    expect([...routes(after)].sort()).toEqual(['admin_api', 'health', 'metrics', 'other', 'token']);
    for (const sample of after) {
      for (const value of Object.values(sample.labels)) expect(value).toMatch(/^[A-Za-z0-9_.*+:-]{1,40}$|^\+Inf$/);
    }
  });

  test('exports process and event-loop metrics', async () => {
    const samples = await scrape(service);
    for (const name of [
      'nodejs_eventloop_lag_p99_seconds',
      'nodejs_eventloop_lag_seconds',
      'process_resident_memory_bytes',
      'process_cpu_seconds_total',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(samples.some((sample) => sample.name === name)).toBe(true);
    }
  });

  test('the embedded and in-memory stores have no pool, so no pool metrics', async () => {
    const samples = await scrape(service);
    expect(samples.filter((sample) => sample.name.startsWith('regauth_db_pool'))).toEqual([]);
  });
});

describe('metrics settings', () => {
  test('metrics.enabled false: no endpoint, and the path is just an unknown path', async () => {
    const service = await createTestRegauth(
      { stores: inMemoryStores(), hasher: new TransparentHasher() },
      { REGAUTH_METRICS_ENABLED: 'false' },
    );
    try {
      await request(service.regauth.app).get('/metrics').expect(404);
    } finally {
      await service.close();
    }
  });

  test('metrics.path moves the endpoint', async () => {
    const service = await createTestRegauth(
      { stores: inMemoryStores(), hasher: new TransparentHasher() },
      { REGAUTH_METRICS_PATH: '/internal/metrics' },
    );
    try {
      await request(service.regauth.app).get('/metrics').expect(404);
      const samples = await scrape(service, '/internal/metrics');
      expect(valueOf(samples, 'regauth_http_request_duration_seconds_count', { method: 'GET', route: 'other', status: '404' })).toBe(1);
    } finally {
      await service.close();
    }
  });
});

const describePostgres = (await postgresAvailable()) ? describe : describe.skip;

describePostgres('metrics on PostgreSQL', () => {
  let schema: PostgresTestSchema;
  let service: TestRegauth;

  beforeAll(async () => {
    schema = await createPostgresTestSchema();
    service = await createTestRegauth({}, { DATABASE_URL: schema.url, REGAUTH_DB_POOL_SIZE: '4' });
  }, 60_000);

  afterAll(async () => {
    await service?.close();
    await schema?.drop();
  });

  test('report the connection pool', async () => {
    await request(service.regauth.app).get('/readyz').expect(200);
    const samples = await scrape(service);
    const idle = valueOf(samples, 'regauth_db_pool_connections', { state: 'idle' });
    const inUse = valueOf(samples, 'regauth_db_pool_connections', { state: 'in_use' });
    expect(idle).toBeGreaterThanOrEqual(1);
    expect(inUse).toBeGreaterThanOrEqual(0);
    expect((idle as number) + (inUse as number)).toBeLessThanOrEqual(4);
    expect(valueOf(samples, 'regauth_db_pool_max_connections')).toBe(4);
    expect(valueOf(samples, 'regauth_db_pool_waiting_queries')).toBe(0);
  });
});

describe('/metrics of the service as it is built for production (bcrypt pool and credential cache)', () => {
  let service: TestRegauth;

  beforeAll(async () => {
    service = await createTestRegauth();
  }, 60_000);

  afterAll(() => service?.close());

  test('a repeated secret is a cache hit and a new one a miss; the bcrypt queue is reported', async () => {
    const created = await service.regauth.admin.create({ name: 'metrics', repositories: ['team/app'], scopes: ['read_registry'] });
    const authorization = `Basic ${Buffer.from(`${created.token.username}:${created.secret}`).toString('base64')}`;
    for (let attempt = 0; attempt < 3; attempt += 1) {
      await request(service.regauth.app).get('/token').query({ service: 'registry', scope: 'repository:team/app:pull' }).set('Authorization', authorization).expect(200);
    }

    const samples = await scrape(service);
    expect(valueOf(samples, 'regauth_credential_cache_lookups_total', { result: 'miss' })).toBe(1);
    expect(valueOf(samples, 'regauth_credential_cache_lookups_total', { result: 'hit' })).toBe(2);
    expect(valueOf(samples, 'regauth_bcrypt_queue_depth')).toBe(0);
  });
});
