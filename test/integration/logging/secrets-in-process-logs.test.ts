import { join } from 'node:path';
import { startRegauthProcess, type RegauthProcess } from '../../e2e/support/regauth-process.js';
import { assertSucceeded } from '../../e2e/support/run-command.js';
import { makeWorkDir, removeWorkDir } from '../../e2e/support/work-dir.js';

const SERVICE = 'e2e-registry';
const base64 = (text: string) => Buffer.from(text).toString('base64');

// The unit tests of the redaction cover its rules; this one runs the real server at debug level, sends it
// every kind of credential a client or operator sends, and searches everything it wrote for them.
describe('the secrets a real server is given never reach its logs', () => {
  let dir: string;
  let service: RegauthProcess;

  beforeAll(async () => {
    dir = await makeWorkDir();
    service = await startRegauthProcess(join(dir, 'regauth'), { env: { REGAUTH_LOG_LEVEL: 'debug', REGAUTH_LOG_FORMAT: 'json' } });
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    if (dir !== undefined) await removeWorkDir(dir);
  });

  test('deploy-token secrets, Basic and Bearer headers, refresh tokens, admin keys and issued tokens', async () => {
    const { username, secret } = await service.createToken({ name: 'ci', repos: ['team/app'], scopes: ['write_registry'] });
    const adminKey = (JSON.parse(assertSucceeded(await service.cli(['admin-keys', 'create', '--name', 'ops', '--json']), 'admin-keys create').stdout) as { key: string }).key;
    const sent: string[] = [];
    const received: string[] = [];
    const call = async (path: string, init: RequestInit = {}): Promise<Response> => {
      const headers = new Headers(init.headers);
      const authorization = headers.get('authorization');
      if (authorization !== null) sent.push(authorization, authorization.replace(/^\S+\s+/, ''));
      const response = await fetch(`${service.url}${path}`, init);
      received.push(await response.clone().text());
      return response;
    };
    const form = (fields: Record<string, string>): RequestInit => ({
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ service: SERVICE, ...fields }).toString(),
    });
    const wrongSecret = `${secret.slice(0, -8)}WRONGxyz`;

    // docker login: Basic, offline token → a refresh token.
    const login = await call(`/token?service=${SERVICE}&account=${username}&client_id=docker&offline_token=true`, {
      headers: { authorization: `Basic ${base64(`${username}:${secret}`)}` },
    });
    expect(login.status).toBe(200);
    const { refresh_token: refreshToken, token: loginToken } = (await login.json()) as { refresh_token: string; token: string };
    // containerd: password and refresh_token grants in a form body.
    expect((await call('/token', form({ grant_type: 'password', client_id: 'containerd-client', username, password: secret, scope: 'repository:team/app:pull' }))).status).toBe(200);
    expect((await call('/token', form({ grant_type: 'refresh_token', client_id: 'docker', refresh_token: refreshToken, scope: 'repository:team/app:push' }))).status).toBe(200);
    // Failed logins, and headers that are not what they should be.
    expect((await call(`/token?service=${SERVICE}`, { headers: { authorization: `Basic ${base64(`${username}:${wrongSecret}`)}` } })).status).toBe(401);
    expect((await call('/token', form({ grant_type: 'password', username, password: wrongSecret }))).status).toBe(401);
    expect((await call('/token', form({ grant_type: 'refresh_token', refresh_token: `${refreshToken}x` }))).status).toBe(401);
    expect((await call(`/token?service=${SERVICE}`, { headers: { authorization: `Basic ${secret}` } })).status).toBe(401);
    expect((await call(`/token?service=${SERVICE}`, { headers: { authorization: `Basic ${base64(secret)}` } })).status).toBe(401);
    expect((await call(`/token?service=${SERVICE}`, { headers: { authorization: `Bearer ${secret}` } })).status).toBeGreaterThanOrEqual(400);
    // The admin API: a Bearer admin key, a secret created and rotated there, and a wrong key.
    const bearer = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
    expect((await call('/api/v1/deploy-tokens', { headers: bearer })).status).toBe(200);
    const created = await call('/api/v1/deploy-tokens', {
      method: 'POST',
      headers: bearer,
      body: JSON.stringify({ name: 'from the api', repositories: ['team/api'], scopes: ['read_registry'] }),
    });
    expect(created.status).toBe(201);
    const apiSecret = ((await created.json()) as { secret: string }).secret;
    const rotated = await call(`/api/v1/deploy-tokens/${username}/rotate`, { method: 'POST', headers: bearer });
    expect(rotated.status).toBe(200);
    const rotatedSecret = ((await rotated.json()) as { secret: string }).secret;
    expect((await call('/api/v1/deploy-tokens', { headers: { authorization: `Bearer ${adminKey.slice(0, -4)}abcd` } })).status).toBe(401);
    expect((await call('/api/v1/deploy-tokens', { headers: { authorization: `Basic ${base64(`admin:${adminKey}`)}` } })).status).toBe(401);

    await service.stop();
    const logs = service.logs();
    expect(logs).toContain('"message":"request"');
    expect(logs).toContain('"event":"auth.failed"');
    const issuedTokens = received.flatMap((body) => [...body.matchAll(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g)].map((match) => match[0]));
    const forbidden = [
      secret,
      wrongSecret,
      rotatedSecret,
      apiSecret,
      adminKey,
      refreshToken,
      loginToken,
      base64(`${username}:${secret}`),
      base64(secret),
      ...issuedTokens,
      ...sent,
    ];
    expect(issuedTokens.length).toBeGreaterThanOrEqual(3);
    expect(forbidden.filter((value) => logs.includes(value))).toEqual([]);
    // No header dump of any kind: neither the header name with a value, nor the raw credential prefix.
    expect(logs).not.toMatch(/authorization"?\s*[:=]\s*"?(Basic|Bearer) [A-Za-z0-9+/=._~-]{6,}/i);
    expect(logs).not.toMatch(/regauth_(?!\[REDACTED)[A-Za-z0-9]/);
  }, 60_000);
});
