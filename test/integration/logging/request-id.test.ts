import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import request from 'supertest';
import { runWithRequestId } from '../../../src/adapters/logging/request-context.js';
import { createWinstonLogger } from '../../../src/adapters/logging/winston-logger.js';
import { composeSecret, SECRET_RANDOM_LENGTH } from '../../../src/core/deploy-token-secret.js';
import { InMemoryDeployTokenStore, inMemoryStores, TransparentHasher } from '../../support/fake-ports.js';
import { createTestRegauth, type TestRegauth } from '../../support/regauth-app.js';

const SERVICE = 'registry';
const wrongSecret = () => composeSecret(randomBytes(SECRET_RANDOM_LENGTH));
const basic = (username: string, secret: string) => `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}`;

/** A hasher that can be made to throw a plain Error, which no use case expects. */
class BreakableHasher extends TransparentHasher {
  broken = false;

  override async hash(secret: string): Promise<string> {
    if (this.broken) throw new Error('hasher exploded');
    return super.hash(secret);
  }

  override async verify(secret: string, hash: string): Promise<boolean> {
    if (this.broken) throw new Error('hasher exploded');
    return super.verify(secret, hash);
  }
}

type LogLine = Record<string, unknown> & { message: string; requestId?: string };

/** The real winston logger, writing JSON lines we can read back. */
function capturedLogger() {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n')) if (text !== '') lines.push(JSON.parse(text) as LogLine);
      done();
    },
  });
  return { logger: createWinstonLogger({ level: 'debug', format: 'json', stream }), lines };
}

/** Resolves once the one-line summary of the request with this id has been written (after the response). */
async function requestLine(lines: LogLine[], requestId: string): Promise<LogLine> {
  for (;;) {
    const found = lines.find((line) => line.message === 'request' && line.requestId === requestId);
    if (found !== undefined) return found;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('every log line written while serving a request carries its id', () => {
  const store = new InMemoryDeployTokenStore();
  const hasher = new BreakableHasher();
  const captured = capturedLogger();
  let service: TestRegauth;
  let credentials: string;
  let adminKey: string;

  beforeAll(async () => {
    service = await createTestRegauth({ logger: captured.logger, stores: inMemoryStores(store), hasher });
    const created = await service.regauth.admin.create({ name: 'ci', repositories: ['team/app'], scopes: ['read_registry'] });
    credentials = basic(created.token.username, created.secret);
    adminKey = (await service.regauth.adminKeys.create('logging test')).key;
  }, 60_000);

  afterAll(async () => {
    await service?.close();
  });

  afterEach(() => {
    store.failWith = null;
    hasher.broken = false;
  });

  /** Sends one request with a known id and returns every line written from its start to its summary line. */
  async function linesOf(send: Send, requestId: string): Promise<LogLine[]> {
    const first = captured.lines.length;
    await send(request(service.regauth.app)).set('X-Request-Id', requestId);
    await requestLine(captured.lines, requestId);
    return captured.lines.slice(first);
  }

  type Send = (agent: ReturnType<typeof request>) => request.Test;
  interface Case {
    readonly what: string;
    readonly send: Send;
    readonly messages: readonly string[];
    readonly arrange?: () => void;
  }
  const breakStore = () => {
    store.failWith = new Error('connect ECONNREFUSED 127.0.0.1:5432');
  };
  const breakHasher = () => {
    hasher.broken = true;
  };
  const createThroughAdminApi = (name: string): Send => (agent) =>
    agent.post('/api/v1/deploy-tokens').set('Authorization', `Bearer ${adminKey}`).send({ name, repositories: ['team/app'], scopes: ['read_registry'] });

  test.each<Case>([
    {
      what: 'a granted pull (audit token.issued)',
      send: (agent) => agent.get('/token').query({ service: SERVICE, scope: 'repository:team/app:pull' }).set('Authorization', credentials),
      messages: ['audit', 'request'],
    },
    {
      what: 'a failed login (audit auth.failed)',
      send: (agent) => agent.get('/token').query({ service: SERVICE }).set('Authorization', basic('deploy-token-1', wrongSecret())),
      messages: ['audit', 'request'],
    },
    {
      what: 'the store failing (503 unavailable)',
      send: (agent) => agent.get('/token').query({ service: SERVICE }).set('Authorization', credentials),
      messages: ['dependency unavailable: nothing granted', 'request'],
      arrange: breakStore,
    },
    {
      what: 'an unexpected error on the token endpoint (500)',
      send: (agent) => agent.get('/token').query({ service: SERVICE }).set('Authorization', credentials),
      messages: ['unexpected error', 'request'],
      arrange: breakHasher,
    },
    { what: 'an admin API call (audit token.created)', send: createThroughAdminApi('y'), messages: ['audit', 'request'] },
    {
      what: 'an unexpected error in the admin API (500)',
      send: createThroughAdminApi('x'),
      messages: ['unexpected error in the admin API', 'request'],
      arrange: breakHasher,
    },
    { what: 'an unknown path (404)', send: (agent) => agent.get('/no/such/thing'), messages: ['request'] },
    { what: 'a malformed form body (400)', send: (agent) => agent.post('/token').type('form').send('%%%'), messages: ['request'] },
  ])('$what', async ({ send, messages, arrange }) => {
    arrange?.();
    const requestId = `req-${Math.random().toString(36).slice(2)}`;
    const lines = await linesOf(send, requestId);
    expect(lines.map((line) => line.message)).toEqual(messages);
    for (const line of lines) expect(line).toMatchObject({ requestId });
  });

  test('an issued token’s request line is at debug level, since its audit line records it; a refused one stays at info', async () => {
    const levelsOf = async (send: Send, requestId: string) =>
      (await linesOf(send, requestId)).map((line) => `${String(line.message)}:${String(line.level)}`);
    const pull = (authorization: string): Send => (agent) =>
      agent.get('/token').query({ service: SERVICE, scope: 'repository:team/app:pull' }).set('Authorization', authorization);
    expect(await levelsOf(pull(credentials), 'level-issued')).toEqual(['audit:info', 'request:debug']);
    expect(await levelsOf(pull(basic('deploy-token-1', wrongSecret())), 'level-refused')).toEqual(['audit:warn', 'request:info']);
  });

  test('the request line names the whole path, mount prefix included', async () => {
    const lines = await linesOf(createThroughAdminApi('path check'), 'path-check');
    const summary = lines.find((line) => line.message === 'request' && line.requestId === 'path-check');
    expect(summary?.path).toBe('/api/v1/deploy-tokens');
  });

  test('without an incoming X-Request-Id, the lines carry the id generated and echoed', async () => {
    const first = captured.lines.length;
    const response = await request(service.regauth.app)
      .get('/token')
      .query({ service: SERVICE, scope: 'repository:team/app:pull' })
      .set('Authorization', credentials);
    const requestId = response.headers['x-request-id'] as string;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    await requestLine(captured.lines, requestId);
    const lines = captured.lines.slice(first);
    expect(lines.map((line) => line.message)).toEqual(['audit', 'request']);
    for (const line of lines) expect(line).toMatchObject({ requestId });
  });

  test('concurrent requests never see each other’s id', async () => {
    const first = captured.lines.length;
    const ids = Array.from({ length: 12 }, (_, index) => `concurrent-${index}`);
    await Promise.all(
      ids.map((requestId, index) =>
        request(service.regauth.app)
          .get('/token')
          .query({ service: SERVICE })
          .set('Authorization', basic(`user-${index}`, wrongSecret()))
          .set('X-Request-Id', requestId),
      ),
    );
    await Promise.all(ids.map((requestId) => requestLine(captured.lines, requestId)));
    const audits = captured.lines.slice(first).filter((line) => line.message === 'audit');
    expect(audits).toHaveLength(ids.length);
    for (const line of audits) expect(line.requestId).toBe(`concurrent-${String(line.username).replace('user-', '')}`);
  });
});

test('a burst of lines to a slow destination keeps each line\u2019s own id', async () => {
  const lines: LogLine[] = [];
  const slow = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString('utf8').split('\n')) if (text !== '') lines.push(JSON.parse(text) as LogLine);
      setImmediate(done);
    },
  });
  const logger = createWinstonLogger({ level: 'info', format: 'json', stream: slow });
  const count = 200;
  for (let index = 0; index < count; index += 1) runWithRequestId(`id-${index}`, () => logger.info('line', { index }));
  while (lines.length < count) await new Promise((resolve) => setImmediate(resolve));
  expect(lines.filter((line) => line.requestId !== `id-${String(line.index)}`)).toEqual([]);
});
