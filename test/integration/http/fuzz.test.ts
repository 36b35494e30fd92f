import { once } from 'node:events';
import { request as httpRequest, type OutgoingHttpHeaders, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import fc from 'fast-check';
import { decodeJwt } from 'jose';
import { createRegauthServer } from '../../../src/adapters/http/http-server.js';
import { InMemoryDeployTokenStore, inMemoryStores, TransparentHasher } from '../../support/fake-ports.js';
import { createTestRegauth, ManualClock, type TestRegauth } from '../../support/regauth-app.js';

// Property tests over the whole HTTP layer: random methods, paths, query strings, headers and bodies
// against the real app on in-memory stores. With no fault injected the service never answers 5xx, and a
// token it issues never holds an action the caller's deploy token (or anonymity) lacks.

const FC_SEED = 20_261_123;
const SERVICE = 'registry';
const FORM = 'application/x-www-form-urlencoded';
const NOW = new Date('2026-11-23T10:00:00Z');

/** A reference for the few patterns used below, written apart from the core's glob matcher. */
const COVERS: Readonly<Record<string, (name: string) => boolean>> = {
  'team/app': (name) => name === 'team/app' || name.startsWith('team/app/'),
  'team/*': (name) => /^team\/[^/]+$/.test(name),
  'shared/base': (name) => name === 'shared/base' || name.startsWith('shared/base/'),
  'ops/**': (name) => name.startsWith('ops/'),
  '*': () => true,
  'public/**': (name) => name.startsWith('public/'),
};

interface Identity {
  readonly username: string;
  readonly repositories: readonly string[];
  readonly actions: readonly string[];
  readonly catalog: boolean;
}

/** What a caller may be granted on one resource, by the reference rules of the README. */
function referenceAllowed(identity: Identity | null, type: string, name: string): Set<string> {
  if (type === 'registry') return new Set(name === 'catalog' && identity?.catalog === true ? ['*'] : []);
  if (type !== 'repository') return new Set();
  const allowed = new Set<string>();
  if (identity !== null && identity.repositories.some((pattern) => (COVERS[pattern] as (name: string) => boolean)(name))) {
    for (const action of identity.actions) allowed.add(action);
  }
  if ((COVERS['public/**'] as (name: string) => boolean)(name)) allowed.add('pull');
  return allowed;
}

type Credential =
  | { readonly kind: 'none' }
  | { readonly kind: 'valid'; readonly who: string }
  | { readonly kind: 'refused'; readonly who: string; readonly why: 'wrong secret' | 'revoked' | 'expired' }
  | { readonly kind: 'refresh'; readonly who: string }
  | { readonly kind: 'garbage'; readonly text: string };

interface FuzzRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer | null;
  readonly credential: Credential;
  /** Whether the credential travels where this method reads it (Basic on GET, the form on POST). */
  readonly presented: boolean;
  /** Built only from well-formed parts: it must be served. */
  readonly clean: boolean;
}

interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

const STACK_TRACE = /\s{2,}at \S|\(\S*:\d+:\d+\)|node:internal|node_modules|\/src\/\S+\.ts/;

describe('fuzzing the HTTP layer', () => {
  const clock = new ManualClock(NOW);
  let service: TestRegauth;
  let server: Server;
  let port: number;
  const identities = new Map<string, Identity & { secret: string; refreshToken: string }>();
  const refused = new Map<string, { username: string; secret: string }>();

  beforeAll(async () => {
    service = await createTestRegauth(
      { clock, stores: inMemoryStores(new InMemoryDeployTokenStore()), hasher: new TransparentHasher() },
      // The lockout is another test's subject: switched off, the many refused credentials here cannot turn into 429s.
      { REGAUTH_PUBLIC_REPOSITORIES: 'public/**', REGAUTH_BRUTE_FORCE_PROTECTION: 'false' },
    );
    server = createRegauthServer(service.regauth.app, null);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;

    const create = async (who: string, repositories: string[], scopes: string[], actions: string[], expires?: string) => {
      const created = await service.regauth.admin.create({ name: who, repositories, scopes, ...(expires === undefined ? {} : { expires }) });
      return { username: created.token.username, secret: created.secret, repositories, actions, catalog: scopes.includes('read_catalog') };
    };
    const people = [
      await create('reader', ['team/app'], ['read_registry'], ['pull']),
      await create('writer', ['team/*', 'shared/base'], ['write_registry'], ['pull', 'push']),
      await create('cleaner', ['ops/**'], ['delete_registry'], ['pull', 'delete']),
      await create('mirror', ['*'], ['read_registry', 'read_catalog'], ['pull']),
    ];
    for (const [index, person] of people.entries()) {
      const login = await send({ method: 'GET', path: '/token', query: `service=${SERVICE}&offline_token=true`, headers: { Authorization: basic(person.username, person.secret) }, body: null });
      const refreshToken = (JSON.parse(login.text) as { refresh_token: string }).refresh_token;
      identities.set(['reader', 'writer', 'cleaner', 'mirror'][index] as string, { ...person, refreshToken });
    }
    const revoked = await create('revoked', ['team/app'], ['write_registry'], []);
    await service.regauth.admin.revoke(revoked.username);
    const expired = await create('expired', ['*'], ['write_registry'], [], '1h');
    clock.advance(2 * 3600_000);
    const reader = identities.get('reader') as { username: string; secret: string };
    const writer = identities.get('writer') as { secret: string };
    refused.set('revoked', revoked);
    refused.set('expired', expired);
    refused.set('wrong secret', { username: reader.username, secret: writer.secret });
  }, 60_000);

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await service?.close();
  });

  function basic(username: string, secret: string): string {
    return `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}`;
  }

  function send(request: Pick<FuzzRequest, 'method' | 'path' | 'query' | 'headers' | 'body'>): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const path = request.query === '' ? request.path : `${request.path}?${request.query}`;
      const outgoing = httpRequest({ host: '127.0.0.1', port, method: request.method, path, headers: request.headers, agent: false }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, text: Buffer.concat(chunks).toString('utf8') }));
        incoming.on('error', reject);
      });
      outgoing.on('error', reject);
      outgoing.end(request.body ?? undefined);
    });
  }

  // ---- generators ----

  const repositoryName = fc.oneof(
    fc.constantFrom(
      'team/app', 'team/app/cache', 'team/application', 'team/other', 'team', 'shared/base', 'shared/base/x', 'shared',
      'ops', 'ops/a', 'ops/a/b', 'public', 'public/x', 'public/x/y', 'library/ubuntu', 'catalog',
      'localhost:5000/team/app', 'registry.example.com/public/x',
    ),
    fc
      .tuple(fc.constantFrom('team/', 'ops/', 'public/', 'shared/', ''), fc.stringMatching(/^[a-z0-9]{1,6}(?:[._-][a-z0-9]{1,4})?(?:\/[a-z0-9]{1,6}){0,2}$/))
      .map(([prefix, rest]) => `${prefix}${rest}`),
  );
  const action = fc.oneof(fc.constantFrom('pull', 'push', 'delete', '*', 'admin', 'PULL', ''), fc.stringMatching(/^[a-z]{1,6}$/));
  const resourceType = fc.oneof(fc.constantFrom('repository', 'registry', 'repository(plugin)', 'repo'), fc.stringMatching(/^[a-z0-9]{1,10}$/));
  const wellFormedScope = fc
    .tuple(fc.constantFrom('repository', 'repository', 'repository(plugin)', 'registry'), repositoryName, fc.uniqueArray(fc.constantFrom('pull', 'push', 'delete', '*'), { minLength: 1 }))
    .map(([type, name, actions]) => (type === 'registry' ? 'registry:catalog:*' : `${type}:${name}:${actions.join(',')}`));
  const anyScope = fc.oneof(
    { weight: 4, arbitrary: fc.tuple(resourceType, repositoryName, fc.array(action, { maxLength: 4 })).map(([type, name, actions]) => `${type}:${name}:${actions.join(',')}`) },
    { weight: 2, arbitrary: wellFormedScope },
    { weight: 1, arbitrary: fc.string({ maxLength: 60 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }) },
  );

  /** One query or form value, encoded as a client would, or not quite. */
  const encoded = (text: string, style: number) => {
    if (style === 0) return encodeURIComponent(text);
    if (style === 1) return encodeURIComponent(text).replace(/%20/g, '+');
    // Raw: only what node's client lets through unescaped (no controls, no space, nothing above U+00FF).
    return text.replace(/[^\u0021-\u00ff]/g, '').replace(/[&#]/g, '');
  };
  const parameterName = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom('scope', 'service', 'account', 'offline_token', 'client_id', 'grant_type', 'username', 'password', 'refresh_token', 'access_type') },
    { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  );
  const parameterValue = fc.oneof(anyScope, fc.constantFrom(SERVICE, 'true', 'docker', 'password', 'refresh_token', ''), fc.string({ maxLength: 40 }));
  const extraParameters = fc.array(fc.tuple(parameterName, parameterValue, fc.nat(2)), { maxLength: 6 });

  const credential: fc.Arbitrary<Credential> = fc.oneof(
    { weight: 2, arbitrary: fc.constant<Credential>({ kind: 'none' }) },
    { weight: 6, arbitrary: fc.constantFrom('reader', 'writer', 'cleaner', 'mirror').map((who): Credential => ({ kind: 'valid', who })) },
    { weight: 2, arbitrary: fc.constantFrom('reader', 'writer', 'cleaner', 'mirror').map((who): Credential => ({ kind: 'refresh', who })) },
    { weight: 2, arbitrary: fc.constantFrom('wrong secret', 'revoked', 'expired').map((why): Credential => ({ kind: 'refused', who: why, why })) },
    {
      weight: 1,
      arbitrary: fc
        .oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 }).map((text) => `Basic ${Buffer.from(text).toString('base64')}`))
        .map((text): Credential => ({ kind: 'garbage', text })),
    },
  );

  const headerValue = fc.string({ maxLength: 80 }).map((text) => text.replace(/[^\t\u0020-\u007e\u0080-\u00ff]/g, ''));
  const extraHeaders = fc.dictionary(fc.stringMatching(/^x-[a-z0-9-]{1,16}$/), headerValue, { maxKeys: 4 });
  const contentType = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(FORM, `${FORM}; charset=utf-8`) },
    { weight: 2, arbitrary: fc.constantFrom('application/json', 'text/plain', 'multipart/form-data; boundary=x', `${FORM}; charset=latin1`, '') },
    { weight: 1, arbitrary: headerValue },
  );

  function credentialFor(choice: Credential): { username: string; secret: string } | null {
    if (choice.kind === 'valid') return identities.get(choice.who) as { username: string; secret: string };
    if (choice.kind === 'refused') return refused.get(choice.why) as { username: string; secret: string };
    return null;
  }

  const fuzzRequest: fc.Arbitrary<FuzzRequest> = fc
    .record({
      method: fc.oneof({ weight: 8, arbitrary: fc.constantFrom('GET', 'POST') }, { weight: 1, arbitrary: fc.constantFrom('PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS') }),
      path: fc.oneof({ weight: 10, arbitrary: fc.constant('/token') }, { weight: 1, arbitrary: fc.webPath() }, { weight: 1, arbitrary: fc.constantFrom('/token/', '/TOKEN', '/api/v1/deploy-tokens', '/healthz', '//token') }),
      scopes: fc.array(
        fc.tuple(
          fc.oneof(
            { weight: 8, arbitrary: wellFormedScope.map((text) => ({ text, wellFormed: true })) },
            { weight: 1, arbitrary: anyScope.map((text) => ({ text, wellFormed: false })) },
          ),
          fc.nat(2),
        ),
        { maxLength: 5 },
      ),
      joinScopes: fc.boolean(),
      service: fc.oneof({ weight: 6, arbitrary: fc.constant(SERVICE) }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) }),
      credential,
      extra: fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: extraParameters }),
      headers: extraHeaders,
      contentType,
      grantSpelling: fc.oneof({ weight: 6, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) }),
      rawBody: fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }) }),
    })
    .map((spec): FuzzRequest => {
      const pairs: [string, string, number][] = [];
      if (spec.joinScopes && spec.scopes.length > 0) pairs.push(['scope', spec.scopes.map(([scope]) => scope.text).join(' '), 0]);
      else for (const [scope, style] of spec.scopes) pairs.push(['scope', scope.text, style]);
      if (spec.service !== null) pairs.push(['service', spec.service, 0]);
      const secretPair = credentialFor(spec.credential);
      const isPost = spec.method === 'POST';
      const headers: OutgoingHttpHeaders = { ...spec.headers };
      if (isPost) {
        if (spec.credential.kind === 'refresh') {
          pairs.push(['grant_type', spec.grantSpelling ?? 'refresh_token', 0], ['refresh_token', identities.get(spec.credential.who)?.refreshToken as string, 0]);
        } else if (secretPair !== null) {
          pairs.push(['grant_type', spec.grantSpelling ?? 'password', 0], ['username', secretPair.username, 0], ['password', secretPair.secret, 0]);
        } else if (spec.credential.kind === 'garbage') {
          pairs.push(['grant_type', 'password', 0], ['username', spec.credential.text, 0], ['password', spec.credential.text, 0]);
        }
      } else if (secretPair !== null) {
        headers.Authorization = basic(secretPair.username, secretPair.secret);
      } else if (spec.credential.kind === 'garbage') {
        headers.Authorization = spec.credential.text.replace(/[^\t\u0020-\u007e\u0080-\u00ff]/g, '');
      }
      pairs.push(...spec.extra);
      const text = pairs.map(([name, value, style]) => `${encoded(name, style)}=${encoded(value, style)}`).join('&');
      let body: Buffer | null = null;
      let query = text;
      if (isPost) {
        query = '';
        body = spec.rawBody === null ? Buffer.from(text) : Buffer.from(spec.rawBody);
        if (spec.contentType !== '') headers['Content-Type'] = spec.contentType;
      }
      const presented =
        (spec.method === 'GET' && secretPair !== null) ||
        (isPost && spec.rawBody === null && spec.grantSpelling === null && (secretPair !== null || spec.credential.kind === 'refresh'));
      const clean =
        spec.path === '/token' &&
        (spec.method === 'GET' || (isPost && spec.rawBody === null && spec.grantSpelling === null && spec.contentType.startsWith(FORM) && !spec.contentType.includes('latin1'))) &&
        spec.extra.length === 0 &&
        spec.service !== null &&
        spec.service === SERVICE &&
        spec.scopes.every(([scope, style]) => scope.wellFormed && (style !== 2 || spec.joinScopes)) &&
        (isPost ? spec.credential.kind === 'valid' || spec.credential.kind === 'refresh' : spec.credential.kind === 'valid' || spec.credential.kind === 'none');
      return { method: spec.method, path: spec.path, query, headers, body, credential: spec.credential, presented, clean };
    });

  // ---- the oracle ----

  function identityOf(request: FuzzRequest): Identity | null {
    if (!request.presented) return null;
    if (request.credential.kind === 'valid' || request.credential.kind === 'refresh') return identities.get(request.credential.who) ?? null;
    return null;
  }

  function checkAnswer(request: FuzzRequest, answer: Answer, tally: { served: number; grants: number }): void {
    expect(answer.status).toBeGreaterThanOrEqual(200);
    expect(answer.status).toBeLessThan(500);
    expect(answer.text).not.toMatch(STACK_TRACE);
    if (request.method === 'HEAD' || answer.status === 204) return;
    expect(answer.headers['content-type']).toMatch(/^application\/json; charset=utf-8$/);
    const body = JSON.parse(answer.text) as Record<string, unknown>;
    if (answer.status >= 400) {
      // The admin API has its own error shape; everything else answers in the token endpoint's.
      const shape = request.path.startsWith('/api/v1/')
        ? { error: { code: expect.any(String), message: expect.any(String) } }
        : { error: expect.any(String), errors: [{ detail: { reason: expect.any(String) } }] };
      expect(body).toMatchObject(shape);
      if (request.clean) throw new Error(`a clean request was refused: ${answer.status} ${answer.text}`);
      return;
    }
    if (request.path !== '/token') return;
    tally.served += 1;
    expect(request.credential.kind === 'refused' && request.presented).toBe(false);
    const identity = identityOf(request);
    const claims = decodeJwt(body.token as string);
    expect(body.access_token).toBe(body.token);
    expect(claims.sub).toBe(identity?.username);
    expect(claims.aud).toBe(SERVICE);
    if (body.refresh_token !== undefined) expect(identity).not.toBeNull();
    const requestedText = [...new URLSearchParams(request.query), ...new URLSearchParams(request.body?.toString('utf8') ?? '')]
      .map(([, value]) => value)
      .join(' ');
    for (const entry of claims.access as { type: string; name: string; actions: string[] }[]) {
      const allowed = referenceAllowed(identity, entry.type, entry.name);
      for (const granted of entry.actions) {
        if (!allowed.has(granted)) {
          throw new Error(`granted ${entry.type}:${entry.name}:${granted} to ${identity?.username ?? 'an anonymous caller'}, who may not have it`);
        }
      }
      expect(requestedText).toContain(entry.name);
      if (identity !== null) tally.grants += 1;
    }
  }

  test('random requests: never a 5xx, never a stack trace, never an action the caller lacks; clean requests are served', async () => {
    const tally = { served: 0, grants: 0, runs: 0 };
    await fc.assert(
      fc.asyncProperty(fuzzRequest, async (request) => {
        tally.runs += 1;
        checkAnswer(request, await send(request), tally);
      }),
      { seed: FC_SEED, numRuns: 600 },
    );
    // The property is only meaningful if many requests got tokens.
    expect(tally.served).toBeGreaterThan(tally.runs / 5);
    expect(tally.grants).toBeGreaterThan(tally.runs / 8);
    expect(service.logger.records.filter((record) => record.level === 'error')).toEqual([]);
  }, 120_000);

  test('random bytes on the socket: every answer is a JSON error below 500, or none at all', async () => {
    const prefix = fc.constantFrom('', 'GET /token', 'GET /token?scope=', 'POST /token HTTP/1.1\r\n', 'GET / HTTP/1.1\r\nHost: x\r\n', 'GET /token HTTP/1.1\r\nHost: x\r\nAuthorization: Basic ');
    const bytes = fc.tuple(prefix, fc.uint8Array({ maxLength: 400 }), fc.constantFrom('', '\r\n', '\r\n\r\n')).map(([start, middle, end]) =>
      Buffer.concat([Buffer.from(start, 'latin1'), Buffer.from(middle), Buffer.from(end, 'latin1')]),
    );
    await fc.assert(
      fc.asyncProperty(bytes, async (payload) => {
        const received = await sendAndHalfClose(port, payload);
        for (const response of parseResponses(received)) {
          expect(response.status).toBeLessThan(500);
          if (response.body !== null) {
            expect(response.contentType).toBe('application/json; charset=utf-8');
            const body = JSON.parse(response.body) as { errors?: unknown };
            if (response.status >= 400) expect(body.errors).toEqual([expect.objectContaining({ detail: { reason: expect.any(String) } })]);
            expect(response.body).not.toMatch(STACK_TRACE);
          }
        }
      }),
      { seed: FC_SEED, numRuns: 300 },
    );
    expect(service.logger.records.filter((record) => record.level === 'error')).toEqual([]);
  }, 120_000);
});

/** Writes the bytes, half-closes (so an incomplete request ends), and collects whatever comes back. */
function sendAndHalfClose(port: number, payload: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? undefined : reject(error)));
    socket.end(payload);
  });
}

interface ParsedResponse {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: string | null;
}

/** The responses in a byte stream, each by its Content-Length; a response without one ends the parse. */
function parseResponses(received: Buffer): ParsedResponse[] {
  const responses: ParsedResponse[] = [];
  let rest = received;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (end < 0) throw new Error(`a truncated response: ${JSON.stringify(rest.toString('latin1'))}`);
    const [statusLine = '', ...lines] = rest.subarray(0, end).toString('latin1').split('\r\n');
    const match = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine);
    if (match === null) throw new Error(`not an HTTP response: ${JSON.stringify(statusLine)}`);
    const headers = new Map(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
    const status = Number(match[1]);
    const length = headers.get('content-length');
    if (status < 200 || length === undefined) {
      responses.push({ status, contentType: headers.get('content-type'), body: null });
      if (status < 200) {
        rest = rest.subarray(end + 4);
        continue;
      }
      break;
    }
    const body = rest.subarray(end + 4, end + 4 + Number(length));
    responses.push({ status, contentType: headers.get('content-type'), body: body.toString('utf8') });
    rest = rest.subarray(end + 4 + Number(length));
  }
  return responses;
}
