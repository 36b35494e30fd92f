import { randomBytes } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader, importX509, jwtVerify } from 'jose';
import request from 'supertest';
import { composeSecret, SECRET_RANDOM_LENGTH } from '../../../src/core/deploy-token-secret.js';
import { createTestRegauth, ManualClock, type TestRegauth } from '../../support/regauth-app.js';

const NOW = new Date('2026-11-23T10:00:00.750Z');
const NOW_SECONDS = Math.floor(NOW.getTime() / 1000);
const SERVICE = 'registry';

interface Credentials {
  readonly username: string;
  readonly secret: string;
}

const basic = ({ username, secret }: Credentials) => `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}`;

function unauthorizedBody(reason: string, message: string) {
  return {
    error: 'invalid_grant',
    error_description: message,
    errors: [{ code: 'UNAUTHORIZED', message, detail: { reason } }],
  };
}

function badRequestBody(reason: string, message: string, oauth = 'invalid_request', registry = 'INVALID_REQUEST') {
  return { error: oauth, error_description: message, errors: [{ code: registry, message, detail: { reason } }] };
}

describe('token endpoint', () => {
  const clock = new ManualClock(NOW);
  let service: TestRegauth;
  let writer: Credentials;
  let reader: Credentials;
  let everything: Credentials;
  let expiring: Credentials;
  let revoked: Credentials;

  const app = () => service.regauth.app;
  const access = (token: string) => decodeJwt(token).access;

  beforeAll(async () => {
    service = await createTestRegauth({ clock });
    const create = async (name: string, repositories: string[], scopes: string[], expires?: string) => {
      const created = await service.regauth.admin.create({ name, repositories, scopes, expires });
      return { username: created.token.username, secret: created.secret };
    };
    writer = await create('ci', ['team/app', 'shared/base'], ['write_registry']);
    reader = await create('cluster', ['team/app'], ['read_registry']);
    everything = await create('mirror', ['*'], ['read_registry']);
    expiring = await create('short', ['team/app'], ['read_registry'], '1h');
    revoked = await create('leaked', ['team/app'], ['write_registry']);
    await service.regauth.admin.revoke(revoked.username);
  }, 60_000);

  afterAll(async () => {
    await service?.close();
  });

  afterEach(() => clock.set(NOW));

  describe('GET with Basic credentials', () => {
    test('answers a signed RS256 token the registry can verify, with exact claims and body', async () => {
      const response = await request(app())
        .get('/token')
        .query({ service: SERVICE, scope: 'repository:team/app:pull,push', account: writer.username })
        .set('Authorization', basic(writer))
        .expect(200);

      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.body).toEqual({
        token: expect.any(String),
        access_token: response.body.token,
        expires_in: 300,
        issued_at: '2026-11-23T10:00:00.750Z',
      });
      expect(decodeProtectedHeader(response.body.token)).toEqual({
        alg: 'RS256',
        typ: 'JWT',
        kid: service.regauth.signingKey.keyId,
      });
      const publicKey = await importX509(service.regauth.signingKey.certificatePem, 'RS256');
      const { payload } = await jwtVerify(response.body.token, publicKey, {
        issuer: 'regauth',
        audience: SERVICE,
        currentDate: NOW,
      });
      expect(payload).toEqual({
        iss: 'regauth',
        sub: writer.username,
        aud: SERVICE,
        iat: NOW_SECONDS,
        nbf: NOW_SECONDS - 5,
        exp: NOW_SECONDS + 300,
        jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
        access: [{ type: 'repository', name: 'team/app', actions: ['pull', 'push'] }],
      });
    });

    test('every token has its own jti', async () => {
      const get = () => request(app()).get('/token').query({ service: SERVICE }).set('Authorization', basic(reader));
      const [first, second] = await Promise.all([get(), get()]);
      expect(decodeJwt(first.body.token).jti).not.toBe(decodeJwt(second.body.token).jti);
    });

    test('asking for more than allowed still succeeds with only the allowed subset', async () => {
      const response = await request(app())
        .get('/token')
        .query({
          service: SERVICE,
          scope: ['repository:team/app:pull,push,delete', 'repository:team/other:pull', 'registry:catalog:*'],
        })
        .set('Authorization', basic(reader))
        .expect(200);
      expect(access(response.body.token)).toEqual([{ type: 'repository', name: 'team/app', actions: ['pull'] }]);
    });

    test('repeated, space-separated, duplicated and classed scopes are merged per repository', async () => {
      const response = await request(app())
        .get('/token')
        .query({
          service: SERVICE,
          scope: [
            'repository:team/app:pull',
            'repository:team/app:pull',
            'repository:shared/base:pull repository(plugin):team/app:push',
            '',
          ],
        })
        .set('Authorization', basic(writer))
        .expect(200);
      expect(access(response.body.token)).toEqual([
        { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
        { type: 'repository', name: 'shared/base', actions: ['pull'] },
      ]);
    });

    test('a path covers the repositories below it but not its siblings', async () => {
      const response = await request(app())
        .get('/token')
        .query({ service: SERVICE, scope: ['repository:team/app/worker:push', 'repository:team/application:pull'] })
        .set('Authorization', basic(writer))
        .expect(200);
      expect(access(response.body.token)).toEqual([{ type: 'repository', name: 'team/app/worker', actions: ['push'] }]);
    });

    test('* covers every repository, including a host:port-prefixed name', async () => {
      const response = await request(app())
        .get('/token')
        .query({ service: SERVICE, scope: ['repository:localhost:5000/any/thing:pull', 'repository:x:pull'] })
        .set('Authorization', basic(everything))
        .expect(200);
      expect(access(response.body.token)).toEqual([
        { type: 'repository', name: 'localhost:5000/any/thing', actions: ['pull'] },
        { type: 'repository', name: 'x', actions: ['pull'] },
      ]);
    });

    test('docker login (no scope, offline_token, client_id) gets a token with no access and a refresh token', async () => {
      const response = await request(app())
        .get('/token')
        .query({ account: reader.username, client_id: 'docker', offline_token: 'true', service: SERVICE })
        .set('Authorization', basic(reader))
        .expect(200);
      expect(Object.keys(response.body).sort()).toEqual(['access_token', 'expires_in', 'issued_at', 'refresh_token', 'token']);
      expect(response.body.refresh_token).toMatch(/^regauth_rt_[A-Za-z0-9_-]{43}$/);
      expect(access(response.body.token)).toEqual([]);
    });

    test('without offline_token=true there is no refresh token (ggcr switches modes on any)', async () => {
      for (const offline of [undefined, 'false', '1']) {
        const response = await request(app())
          .get('/token')
          .query({ service: SERVICE, ...(offline === undefined ? {} : { offline_token: offline }) })
          .set('Authorization', basic(reader))
          .expect(200);
        expect(response.body).not.toHaveProperty('refresh_token');
      }
    });

    test('without credentials the caller is anonymous: a token with empty access and no subject', async () => {
      const response = await request(app())
        .get('/token')
        .query({ service: SERVICE, scope: 'repository:team/app:pull' })
        .expect(200);
      const claims = decodeJwt(response.body.token);
      expect(claims.access).toEqual([]);
      expect(claims).not.toHaveProperty('sub');
    });

    test('a request without service is served for the configured service', async () => {
      const response = await request(app()).get('/token').set('Authorization', basic(reader)).expect(200);
      expect(decodeJwt(response.body.token).aud).toBe(SERVICE);
    });

    test('records when the deploy token was last used', async () => {
      await request(app()).get('/token').query({ service: SERVICE }).set('Authorization', basic(everything)).expect(200);
      await service.regauth.flush();
      const listed = await service.regauth.admin.get(everything.username);
      expect(listed.lastUsedAt).toBe(NOW.toISOString());
      expect(listed.lastUsedIp).toMatch(/127\.0\.0\.1/);
    });

    test('a wrong service is a 400 and nothing is issued', async () => {
      const response = await request(app())
        .get('/token')
        .query({ service: 'other-registry', scope: 'repository:team/app:pull' })
        .set('Authorization', basic(reader))
        .expect(400);
      expect(response.body).toEqual(
        badRequestBody('unknown_service', 'this token service issues tokens for another service, not "other-registry"'),
      );
      expect(response.body).not.toHaveProperty('token');
    });

    test.each([
      ['no type/name/action split', 'bogus', 'invalid scope "bogus": expected resourcetype:name:action[,action]'],
      ['an uppercase repository', 'repository:Team/App:pull', 'invalid scope "repository:Team/App:pull": resource name is not a valid repository name'],
      ['a bad action', 'repository:team/app:PULL', 'invalid scope "repository:team/app:PULL": action "PULL" is not lowercase letters or *'],
    ])('a malformed scope (%s) is a 400 with the reason', async (_case, scope, message) => {
      const response = await request(app())
        .get('/token')
        .query({ service: SERVICE, scope })
        .set('Authorization', basic(reader))
        .expect(400);
      expect(response.body).toEqual(badRequestBody('invalid_scope', message, 'invalid_scope'));
      expect(response.headers['cache-control']).toBe('no-store');
    });

    test('an account that is not the Basic username is a 401', async () => {
      const response = await request(app())
        .get('/token')
        .query({ service: SERVICE, account: writer.username })
        .set('Authorization', basic(reader))
        .expect(401);
      expect(response.body).toEqual(
        unauthorizedBody('account_mismatch', 'account does not match the username of the credentials'),
      );
      expect(response.headers['www-authenticate']).toBe('Basic realm="regauth", charset="UTF-8"');
    });

    test.each([
      ['a wrong well-formed secret', () => ({ username: reader.username, secret: composeSecret(randomBytes(SECRET_RANDOM_LENGTH)) })],
      ['a secret that is not a regauth secret', () => ({ username: reader.username, secret: 'hunter2' })],
      ['an unknown username', () => ({ username: 'nobody', secret: reader.secret })],
      ['an empty username and secret', () => ({ username: '', secret: '' })],
      ['another token’s secret', () => ({ username: reader.username, secret: writer.secret })],
    ])('%s is a 401 with a Basic challenge, never an anonymous token', async (_case, credentials) => {
      const response = await request(app())
        .get('/token')
        .query({ service: SERVICE, scope: 'repository:team/app:pull' })
        .set('Authorization', basic(credentials()))
        .expect(401);
      expect(response.body).toEqual(unauthorizedBody('invalid_credentials', 'invalid username or secret'));
      expect(response.headers['www-authenticate']).toBe('Basic realm="regauth", charset="UTF-8"');
      expect(response.headers['cache-control']).toBe('no-store');
    });

    test('a revoked token is a 401 that says so', async () => {
      const response = await request(app()).get('/token').query({ service: SERVICE }).set('Authorization', basic(revoked)).expect(401);
      expect(response.body).toEqual(unauthorizedBody('token_revoked', 'deploy token has been revoked'));
    });

    test('an expired token is a 401 that says when it expired', async () => {
      clock.advance(60 * 60 * 1000);
      const response = await request(app()).get('/token').query({ service: SERVICE }).set('Authorization', basic(expiring)).expect(401);
      expect(response.body).toEqual(unauthorizedBody('token_expired', 'deploy token expired at 2026-11-23T11:00:00.750Z'));
    });

    test('a token about to expire still works', async () => {
      clock.advance(60 * 60 * 1000 - 1);
      await request(app()).get('/token').query({ service: SERVICE }).set('Authorization', basic(expiring)).expect(200);
    });

    test.each([
      ['a Bearer header', 'Bearer abc.def.ghi', 'the Authorization header must use the Basic scheme'],
      ['Basic without a colon', `Basic ${Buffer.from('no-colon').toString('base64')}`, 'Basic credentials must be base64 of username:secret'],
      ['Basic that is not base64', 'Basic !!!', 'the Authorization header must use the Basic scheme'],
    ])('%s is a 401', async (_case, header, message) => {
      const response = await request(app()).get('/token').query({ service: SERVICE }).set('Authorization', header).expect(401);
      expect(response.body).toEqual(unauthorizedBody('invalid_credentials', message));
    });

    test('a parameter that must be single but is repeated is a 400', async () => {
      const response = await request(app())
        .get('/token')
        .query({ service: [SERVICE, SERVICE] })
        .expect(400);
      expect(response.body).toEqual(badRequestBody('invalid_request', 'service must be given once'));
    });

    test('failed logins are logged with the reason and without the secret', async () => {
      await request(app()).get('/token').query({ service: SERVICE }).set('Authorization', basic(revoked)).expect(401);
      const failure = service.logger.records.findLast((record) => record.fields?.event === 'auth.failed');
      expect(failure?.fields).toMatchObject({ event: 'auth.failed', username: revoked.username, reason: 'token_revoked' });
      expect(JSON.stringify(service.logger.records)).not.toContain(revoked.secret);
    });
  });

  describe('POST (OAuth2 form, as containerd sends it)', () => {
    const form = (fields: Record<string, string>) =>
      request(app())
        .post('/token')
        .set('Content-Type', 'application/x-www-form-urlencoded; charset=utf-8')
        .send(new URLSearchParams(fields).toString());

    test('the password grant answers the same token body with space-separated scopes', async () => {
      const response = await form({
        client_id: 'containerd-client',
        grant_type: 'password',
        username: writer.username,
        password: writer.secret,
        scope: 'repository:team/app:pull repository:team/app:pull,push repository:shared/base:pull',
        service: SERVICE,
      }).expect(200);
      expect(response.body).toEqual({
        token: expect.any(String),
        access_token: response.body.token,
        expires_in: 300,
        issued_at: NOW.toISOString(),
      });
      expect(response.headers['cache-control']).toBe('no-store');
      expect(access(response.body.access_token)).toEqual([
        { type: 'repository', name: 'team/app', actions: ['pull', 'push'] },
        { type: 'repository', name: 'shared/base', actions: ['pull'] },
      ]);
    });

    test('wrong credentials are a 401, so containerd falls back to GET', async () => {
      const response = await form({ grant_type: 'password', username: reader.username, password: 'nope', service: SERVICE }).expect(401);
      expect(response.body).toEqual(unauthorizedBody('invalid_credentials', 'invalid username or secret'));
    });

    test('the refresh_token grant exchanges a refresh token for the deploy token’s rights, again and again', async () => {
      const login = await form({
        client_id: 'containerd-client',
        grant_type: 'password',
        access_type: 'offline',
        username: writer.username,
        password: writer.secret,
        service: SERVICE,
      }).expect(200);
      const refreshToken = login.body.refresh_token as string;
      expect(refreshToken).toMatch(/^regauth_rt_/);
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const response = await form({
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
          client_id: 'docker',
          scope: 'repository:team/app:push,pull repository:elsewhere/x:pull',
          service: SERVICE,
        }).expect(200);
        expect(response.body).not.toHaveProperty('refresh_token');
        expect(decodeJwt(response.body.access_token).sub).toBe(writer.username);
        expect(access(response.body.access_token)).toEqual([{ type: 'repository', name: 'team/app', actions: ['push', 'pull'] }]);
      }
    });

    test.each([
      ['an unknown refresh token', 'regauth_rt_' + 'A'.repeat(43)],
      ['a malformed refresh token', 'x'],
    ])('%s is a 401 that tells docker to log in again', async (_case, refreshToken) => {
      const response = await form({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: 'docker', service: SERVICE }).expect(401);
      expect(response.body.errors[0].detail.reason).toBe('invalid_refresh_token');
    });

    test('the refresh_token grant needs a refresh_token', async () => {
      const response = await form({ grant_type: 'refresh_token', client_id: 'docker', service: SERVICE }).expect(400);
      expect(response.body).toEqual(badRequestBody('invalid_request', 'the refresh_token grant needs refresh_token'));
    });

    test('an unknown grant is a 400 unsupported_grant_type, never a 403', async () => {
      const response = await form({ grant_type: 'client_credentials' }).expect(400);
      expect(response.body.error).toBe('unsupported_grant_type');
    });

    test.each([
      ['no grant_type', {}, 'grant_type is required'],
      ['no password', { grant_type: 'password', username: 'u' }, 'the password grant needs username and password'],
    ])('%s is a 400 invalid_request', async (_case, fields, message) => {
      const response = await form(fields).expect(400);
      expect(response.body).toEqual(badRequestBody('invalid_request', message));
    });

    test('a body that is not a form is a 400', async () => {
      const response = await request(app())
        .post('/token')
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ grant_type: 'password' }))
        .expect(400);
      expect(response.body).toEqual(badRequestBody('invalid_request', 'POST requests must be application/x-www-form-urlencoded'));
    });

    test('a form larger than 16 KiB is refused with 413', async () => {
      const response = await form({ grant_type: 'password', scope: 'repository:a:pull '.repeat(2000) }).expect(413);
      expect(response.body.errors[0].detail.reason).toBe('payload_too_large');
    });
  });

  describe('other routes', () => {
    test('other methods on the token path are a 405 naming the allowed ones', async () => {
      const response = await request(app()).put('/token').expect(405);
      expect(response.headers.allow).toBe('GET, POST');
      expect(response.body.errors[0].detail.reason).toBe('method_not_allowed');
    });

    test('an unknown path is a JSON 404', async () => {
      const response = await request(app()).get('/v2/').expect(404);
      expect(response.body).toEqual({
        error: 'invalid_request',
        error_description: 'no such endpoint',
        errors: [{ code: 'NOT_FOUND', message: 'no such endpoint', detail: { reason: 'not_found' } }],
      });
    });

    test('/healthz and /readyz answer when the store and key are there', async () => {
      expect((await request(app()).get('/healthz').expect(200)).body).toEqual({ status: 'ok' });
      expect((await request(app()).get('/readyz').expect(200)).body).toEqual({
        status: 'ready',
        checks: { store: 'ok', signingKey: 'ok' },
      });
    });

    test('a request id is made for each request, and a well-formed incoming one is kept', async () => {
      const generated = await request(app()).get('/healthz');
      expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
      const kept = await request(app()).get('/healthz').set('X-Request-Id', 'abc-123');
      expect(kept.headers['x-request-id']).toBe('abc-123');
      const replaced = await request(app()).get('/healthz').set('X-Request-Id', 'bad id with spaces');
      expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    test('responses do not advertise express', async () => {
      const response = await request(app()).get('/healthz');
      expect(response.headers).not.toHaveProperty('x-powered-by');
    });
  });
});
