import { once } from 'node:events';
import { request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import request, { type Response } from 'supertest';
import { createRegauthServer, MAX_HEADER_BYTES } from '../../../src/adapters/http/http-server.js';
import { MAX_SCOPE_LENGTH, MAX_SCOPES_PER_REQUEST } from '../../../src/core/scope.js';
import { MAX_USERNAME_LENGTH } from '../../../src/core/username.js';
import { InMemoryDeployTokenStore, inMemoryStores, TransparentHasher } from '../../support/fake-ports.js';
import { sendRawRequest, type RawResponse } from '../../support/raw-http.js';
import { createTestRegauth, type TestRegauth } from '../../support/regauth-app.js';

const SERVICE = 'registry';
const base64 = (text: string | Buffer) => Buffer.from(text).toString('base64');
const basic = (username: string, secret: string) => `Basic ${base64(`${username}:${secret}`)}`;
const FORM = 'application/x-www-form-urlencoded';

/** A stack frame as V8 prints it, or a source path: neither may reach a client. */
const STACK_TRACE = /\s{2,}at \S|\(\S*:\d+:\d+\)|node:internal|node_modules|\/src\/\S+\.ts/;

interface ErrorAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
}

/** The answer is our JSON error with this status and reason: never a 500, never a stack trace. */
function expectJsonError(answer: ErrorAnswer, status: number, reason: string): void {
  const body = JSON.parse(answer.text) as { error: unknown; error_description: unknown; errors: { detail: { reason: string } }[] };
  expect({ status: answer.status, reason: body.errors[0]?.detail.reason }).toEqual({ status, reason });
  expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(body).toEqual({
    error: expect.any(String),
    error_description: expect.any(String),
    errors: [{ code: expect.any(String), message: body.error_description, detail: { reason } }],
  });
  expect(answer.text).not.toMatch(STACK_TRACE);
}

/** A request through node's own client, body bytes as given: supertest would set a type or re-encode. */
function sendBytes(port: number, headers: Record<string, string>, body: Buffer | string): Promise<ErrorAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/token', headers }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

const asAnswer = (response: Response): ErrorAnswer => ({ status: response.status, headers: response.headers, text: response.text });
const rawAnswer = (response: RawResponse): ErrorAnswer => ({ status: response.status, headers: response.headers, text: response.body });

describe('hostile input at the token endpoint', () => {
  const store = new InMemoryDeployTokenStore();
  let service: TestRegauth;
  let username: string;
  let secret: string;
  let server: Server;
  let port: number;

  const app = () => service.regauth.app;

  beforeAll(async () => {
    service = await createTestRegauth({ stores: inMemoryStores(store), hasher: new TransparentHasher() });
    const created = await service.regauth.admin.create({ name: 'ci', repositories: ['team/app'], scopes: ['write_registry'] });
    ({ username, secret } = { username: created.token.username, secret: created.secret });
    server = createRegauthServer(service.regauth.app, null);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  }, 60_000);

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await service?.close();
  });

  afterEach(() => {
    const unexpected = service.logger.records.filter((record) => record.level === 'error');
    service.logger.records.length = 0;
    expect(unexpected).toEqual([]);
  });

  describe('malformed Basic credentials are refused like wrong ones, without a store lookup', () => {
    test.each<[string, string]>([
      ['the scheme alone', 'Basic'],
      ['not base64', 'Basic !!!!'],
      ['base64 without a colon', `Basic ${base64('no-colon-here')}`],
      ['two credentials', `Basic ${base64('a:b')} ${base64('c:d')}`],
      ['another scheme', 'Bearer eyJhbGciOi.x.y'],
      ['Digest', 'Digest username="a", realm="r"'],
      ['an empty username and secret', `Basic ${base64(':')}`],
      ['NUL bytes in username and secret', `Basic ${base64('deploy-token-1\u0000:x\u0000y')}`],
      ['non-UTF-8 bytes', `Basic ${base64(Buffer.from([0xff, 0xfe, 0x3a, 0xc3, 0x28]))}`],
      ['SQL in the username', basic("deploy-token-1' OR '1'='1' --", 'regauth_x')],
      ['SQL in the secret', basic('deploy-token-1', "'; DROP TABLE deploy_tokens; --")],
      ['a username one character too long', basic('a'.repeat(MAX_USERNAME_LENGTH + 1), 'regauth_x')],
      ['a secret far too long', basic('deploy-token-1', `regauth_${'A'.repeat(8000)}`)],
      ['upper case in the username', basic('Deploy-Token-1', 'regauth_x')],
    ])('%s: 401 invalid_credentials', async (_name, authorization) => {
      const lookups = store.lookups;
      const response = await request(app()).get('/token').query({ service: SERVICE }).set('Authorization', authorization);
      expectJsonError(asAnswer(response), 401, 'invalid_credentials');
      expect(response.headers['www-authenticate']).toBe('Basic realm="regauth", charset="UTF-8"');
      expect(store.lookups).toBe(lookups);
    });

    test('the real username with a real-looking but wrong secret is a 401 after a lookup', async () => {
      const wrong = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
      const response = await request(app()).get('/token').query({ service: SERVICE }).set('Authorization', basic(username, wrong));
      expectJsonError(asAnswer(response), 401, 'invalid_credentials');
    });

    test('the real credentials still work (the cases above fail for their own reason)', async () => {
      await request(app()).get('/token').query({ service: SERVICE }).set('Authorization', basic(username, secret)).expect(200);
    });
  });

  describe('bad parameters are a 400', () => {
    const manyScopes = (count: number) => Array.from({ length: count }, (_, i) => `repository:team/app${i}:pull`);
    test.each<[string, string, number, string]>([
      ['SQL metacharacters in a scope', `scope=${encodeURIComponent("repository:team/app';DROP TABLE x;--:pull")}`, 400, 'invalid_scope'],
      ['a NUL byte in a scope', 'scope=repository:team/app%00:pull', 400, 'invalid_scope'],
      ['percent-escapes that are not UTF-8', 'scope=repository:%FF%FE:pull', 400, 'invalid_scope'],
      ['a lone percent sign', 'scope=repository:team%:pull', 400, 'invalid_scope'],
      ['a scope over the length limit', `scope=repository:${'a'.repeat(MAX_SCOPE_LENGTH)}:pull`, 400, 'invalid_scope'],
      ['one scope too many', manyScopes(MAX_SCOPES_PER_REQUEST + 1).map((scope) => `scope=${scope}`).join('&'), 400, 'invalid_scope'],
      ['one scope repeated 700 times in one value', `scope=${'repository:a:pull+'.repeat(700)}`, 400, 'invalid_scope'],
      ['a repeated service', `service=${SERVICE}&service=${SERVICE}`, 400, 'invalid_request'],
      ['an unknown service with SQL in it', `service=${encodeURIComponent("registry' OR 1=1")}`, 400, 'unknown_service'],
      ['a service with a NUL byte', 'service=registry%00', 400, 'unknown_service'],
      ['a repeated account', 'account=a&account=b', 400, 'invalid_request'],
    ])('%s: %i %s', async (_name, query, status, reason) => {
      const response = await request(app()).get(`/token?${query}`);
      expectJsonError(asAnswer(response), status, reason);
    });

    test('exactly the scope limit is served', async () => {
      const query = manyScopes(MAX_SCOPES_PER_REQUEST).map((scope) => `scope=${scope}`).join('&');
      await request(app()).get(`/token?service=${SERVICE}&${query}`).set('Authorization', basic(username, secret)).expect(200);
    });

    test('an account that is not the Basic username is a 401', async () => {
      const response = await request(app())
        .get('/token')
        .query({ service: SERVICE, account: "x' OR 1=1 --" })
        .set('Authorization', basic(username, secret));
      expectJsonError(asAnswer(response), 401, 'account_mismatch');
    });
  });

  describe('POST', () => {
    const post = () => request(app()).post('/token');
    const passwordForm = `grant_type=password&username=deploy-token-1&password=x&service=${SERVICE}`;

    test.each([
      'client_credentials',
      'authorization_code',
      'urn:ietf:params:oauth:grant-type:jwt-bearer',
      '',
      'password%00',
      'PASSWORD',
      "password' OR 1=1",
      'x'.repeat(5000),
    ])('an unknown grant type is a 400 unsupported_grant_type (%#)', async (grantType) => {
      const response = await post().set('Content-Type', FORM).send(`grant_type=${grantType}&service=${SERVICE}`);
      expectJsonError(asAnswer(response), 400, 'unsupported_grant_type');
      expect(JSON.parse(response.text).error_description.length).toBeLessThan(100);
    });

    test.each<[string, string, string, number, string]>([
      ['JSON', 'application/json', JSON.stringify({ grant_type: 'password' }), 400, 'invalid_request'],
      ['plain text', 'text/plain', passwordForm, 400, 'invalid_request'],
      ['multipart', 'multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--', 400, 'invalid_request'],
      ['XML', 'application/xml', '<grant_type>password</grant_type>', 400, 'invalid_request'],
      ['a form in another charset', `${FORM}; charset=latin1`, passwordForm, 400, 'invalid_request'],
      ['a form without grant_type', FORM, 'username=a&password=b', 400, 'invalid_request'],
      ['a form with grant_type twice', FORM, 'grant_type=password&grant_type=password', 400, 'invalid_request'],
      ['a password grant without password', FORM, 'grant_type=password&username=a', 400, 'invalid_request'],
      ['a refresh grant without refresh token', FORM, 'grant_type=refresh_token', 400, 'invalid_request'],
      ['a form of NUL bytes and broken escapes', FORM, 'grant_type=password\u0000&%%%=%ZZ&username=%FF', 400, 'unsupported_grant_type'],
      ['a form over 16 KiB', FORM, `grant_type=password&scope=${'a'.repeat(17 * 1024)}`, 413, 'payload_too_large'],
      ['a form of more than 1000 parameters', FORM, Array.from({ length: 1001 }, (_, i) => `p${i}=1`).join('&'), 413, 'payload_too_large'],
      ['a refresh token with SQL in it', FORM, `grant_type=refresh_token&refresh_token=${encodeURIComponent("regauth_rt_' OR 1=1 --")}`, 401, 'invalid_refresh_token'],
      ['a password grant with SQL in the password', FORM, `grant_type=password&username=deploy-token-1&password=${encodeURIComponent("' OR 1=1 --")}`, 401, 'invalid_credentials'],
    ])('%s: %i %s', async (_name, contentType, body, status, reason) => {
      const response = await post().set('Content-Type', contentType).send(body);
      expectJsonError(asAnswer(response), status, reason);
    });

    test('a gzip body that is not gzip is a 400', async () => {
      const response = await post().set('Content-Type', FORM).set('Content-Encoding', 'gzip').send('not gzip at all');
      expectJsonError(asAnswer(response), 400, 'invalid_request');
    });

    test('an unknown content encoding is a 400', async () => {
      const response = await post().set('Content-Type', FORM).set('Content-Encoding', 'br-but-not').send(passwordForm);
      expectJsonError(asAnswer(response), 400, 'invalid_request');
    });

    test('a form without a content type is a 400', async () => {
      expectJsonError(await sendBytes(port, {}, passwordForm), 400, 'invalid_request');
    });

    test('a gzip bomb past the body limit is a 413', async () => {
      const bomb = gzipSync(Buffer.alloc(5 * 1024 * 1024, 'a'));
      const answer = await sendBytes(port, { 'Content-Type': FORM, 'Content-Encoding': 'gzip' }, bomb);
      expectJsonError(answer, 413, 'payload_too_large');
    });
  });

  describe('methods and paths', () => {
    test.each(['put', 'patch', 'delete', 'options'] as const)('%s /token is a 405 naming GET and POST', async (method) => {
      const response = await request(app())[method]('/token');
      expectJsonError(asAnswer(response), 405, 'method_not_allowed');
      expect(response.headers.allow).toBe('GET, POST');
    });

    test.each(['/token%', '/%E0%A4%A', '/token/../../etc/passwd', '/v2/', "/token';--"])('%s is a JSON 404 or 400', async (path) => {
      const response = await request(app()).get(path);
      expect([400, 404]).toContain(response.status);
      expectJsonError(asAnswer(response), response.status, response.status === 404 ? 'not_found' : 'invalid_request');
    });
  });

  describe('what the HTTP parser refuses still gets a JSON error (raw sockets)', () => {
    const line = (text: string) => Buffer.from(`${text}\r\n`, 'latin1');
    const get = (target: string | Buffer, ...headers: (string | Buffer)[]) =>
      Buffer.concat([
        Buffer.from('GET '),
        Buffer.from(target),
        Buffer.from(' HTTP/1.1\r\n'),
        ...headers.map((header) => Buffer.concat([Buffer.from(header), Buffer.from('\r\n')])),
        line('Connection: close'),
        line(''),
      ]);

    const rawForm = (body: Buffer) =>
      Buffer.concat([Buffer.from(`POST /token HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: ${FORM}\r\nContent-Length: ${body.length}\r\n\r\n`), body]);

    test.each<[string, () => Buffer, number, string]>([
      ['headers over the limit', () => get('/token', 'Host: x', `X-Padding: ${'a'.repeat(MAX_HEADER_BYTES)}`), 431, 'headers_too_large'],
      ['a request line over the limit', () => get(`/token?scope=${'a'.repeat(MAX_HEADER_BYTES)}`, 'Host: x'), 431, 'headers_too_large'],
      ['many small headers over the limit', () => get('/token', 'Host: x', ...Array.from({ length: 2000 }, (_, i) => `X-${i}: 1234567`)), 431, 'headers_too_large'],
      ['a NUL byte in a header value', () => get('/token', 'Host: x', 'Authorization: Basic \u0000abc'), 400, 'invalid_request'],
      ['a NUL byte in the request line', () => get('/token?scope=\u0000', 'Host: x'), 400, 'invalid_request'],
      ['raw non-UTF-8 bytes in the request line', () => get(Buffer.from([0x2f, 0x74, 0x3f, 0xff, 0xfe, 0xc3]), 'Host: x'), 400, 'invalid_request'],
      ['a space in the path', () => get('/to ken', 'Host: x'), 400, 'invalid_request'],
      ['a header name with a space', () => get('/token', 'Host: x', 'Bad Header: 1'), 400, 'invalid_request'],
      ['a line that is not HTTP', () => Buffer.from('\u0000\u0001\u0002 hello\r\n\r\n', 'latin1'), 400, 'invalid_request'],
      ['an unknown method', () => Buffer.from('BREW /token HTTP/1.1\r\nHost: x\r\n\r\n'), 400, 'invalid_request'],
      ['an HTTP/2 preface on the HTTP/1 port', () => Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), 400, 'invalid_request'],
      ['a Content-Length that is not a number', () => Buffer.from('POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'), 400, 'invalid_request'],
      [
        'both Content-Length and chunked (request smuggling)',
        () => Buffer.from('POST /token HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'),
        400,
        'invalid_request',
      ],
      ['HTTP/1.1 without Host', () => get('/token?service=registry'), 400, 'invalid_request'],
      ['non-UTF-8 bytes in the Basic header value', () => get('/token', 'Host: x', Buffer.from([0x41, 0x75, 0x74, 0x68, 0x6f, 0x72, 0x69, 0x7a, 0x61, 0x74, 0x69, 0x6f, 0x6e, 0x3a, 0x20, 0x42, 0x61, 0x73, 0x69, 0x63, 0x20, 0xff, 0xc3])), 401, 'invalid_credentials'],
      ['a form body in raw Latin-1', () => rawForm(Buffer.from('grant_type=pass\xe9word\xff', 'latin1')), 400, 'unsupported_grant_type'],
      ['a form body of NUL bytes', () => rawForm(Buffer.alloc(64)), 400, 'invalid_request'],
    ])('%s: %i %s', async (_name, bytes, status, reason) => {
      expectJsonError(rawAnswer(await sendRawRequest(port, bytes())), status, reason);
    });

    test('a request just under the header limit is served', async () => {
      const padding = 'a'.repeat(MAX_HEADER_BYTES - 200);
      const response = await sendRawRequest(port, get(`/token?service=${SERVICE}`, 'Host: x', `X-Padding: ${padding}`));
      expect(response.status).toBe(200);
    });

    test('a malformed request after a good one on the same connection still gets its JSON error', async () => {
      const socket = connect(port, '127.0.0.1');
      let received = '';
      const closed = once(socket, 'close');
      const firstAnswered = new Promise<void>((resolve) => {
        socket.on('data', (chunk: Buffer) => {
          received += chunk.toString('latin1');
          if (received.includes('"access_token"')) resolve();
        });
      });
      socket.write(`GET /token?service=${SERVICE} HTTP/1.1\r\nHost: x\r\n\r\n`);
      await firstAnswered;
      socket.write(`GET /token HTTP/1.1\r\nHost: x\r\nX-Padding: ${'a'.repeat(MAX_HEADER_BYTES)}\r\n\r\n`);
      await closed;
      expect(received.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 431']);
      expect(received).toContain('"reason":"headers_too_large"');
    });
  });
});
