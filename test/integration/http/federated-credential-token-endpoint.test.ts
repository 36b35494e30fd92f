import { randomBytes } from 'node:crypto';
import { decodeJwt } from 'jose';
import request from 'supertest';
import type { MintedCredential } from '../../../src/app/federation/federated-credentials.js';
import type { Federation } from '../../../src/composition-root.js';
import { composeFederatedPassword } from '../../../src/core/federation/federated-password.js';
import { FIXTURE_T0, trustPolicy, verifiedToken } from '../../support/federation-fixtures.js';
import { RecordingLoginThrottle } from '../../support/fake-ports.js';
import { createTestRegauth, ManualClock, type TestRegauth } from '../../support/regauth-app.js';

const SERVICE = 'registry';
const MINUTE = 60_000;
const CLAIMS = { repository: 'octo-org/app', run_id: '42', sub: 'repo:octo-org/app:ref:refs/heads/main' };

/** Well-formed (prefix and checksum right), and given to nobody. */
const unknownPassword = () => composeFederatedPassword(randomBytes(32));
const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

function unauthorizedBody(reason: string, message: string) {
  return { error: 'invalid_grant', error_description: message, errors: [{ code: 'UNAUTHORIZED', message, detail: { reason } }] };
}

describe('a minted credential on the token endpoint', () => {
  const clock = new ManualClock(FIXTURE_T0);
  const throttle = new RecordingLoginThrottle();
  let service: TestRegauth;
  let federation: Federation;
  let jtiCounter = 0;

  const app = () => service.regauth.app;
  const mint = (options: { offline?: boolean; lifetimeSeconds?: number } = {}): Promise<MintedCredential> =>
    federation.credentials.mint({
      verified: verifiedToken({ jwtId: `jti-${(jtiCounter += 1)}` }),
      policy: trustPolicy({ credentialLifetimeSeconds: options.lifetimeSeconds ?? 900 }),
      claims: CLAIMS,
      ...(options.offline === undefined ? {} : { offline: options.offline }),
    });
  const get = (username: string, password: string, query: Record<string, string> = {}) =>
    request(app()).get('/token').query({ service: SERVICE, ...query }).set('Authorization', basic(username, password));
  const postPassword = (username: string, password: string, fields: Record<string, string> = {}) =>
    request(app())
      .post('/token')
      .type('form')
      .send({ grant_type: 'password', client_id: 'containerd-client', username, password, service: SERVICE, ...fields });
  const postRefresh = (refreshToken: string, scope: string) =>
    request(app()).post('/token').type('form').send({ grant_type: 'refresh_token', client_id: 'docker', refresh_token: refreshToken, scope, service: SERVICE });

  beforeAll(async () => {
    service = await createTestRegauth({ clock, loginThrottle: throttle });
    if (service.regauth.federation === null) throw new Error('the embedded store has minted credentials');
    federation = service.regauth.federation;
  }, 60_000);

  afterAll(async () => {
    await service?.close();
  });

  afterEach(() => clock.set(FIXTURE_T0));

  test('GET with Basic: the policy’s grants, nothing beyond them, subject oidc-<id>', async () => {
    const minted = await mint();
    expect(minted.username).toMatch(/^oidc-[0-9]+$/);
    expect(minted.password).toMatch(/^regauth_fed_[0-9A-Za-z]{38}$/);

    const response = await get(minted.username, minted.password, {
      account: minted.username,
      scope: 'repository:octo-org/app:pull,push,delete repository:octo-org/other:pull',
    }).expect(200);

    const claims = decodeJwt(response.body.token);
    expect(claims.sub).toBe(minted.username);
    expect(claims.access).toEqual([{ type: 'repository', name: 'octo-org/app', actions: ['pull', 'push'] }]);
    expect(response.body.expires_in).toBe(300);
    expect(response.body).not.toHaveProperty('refresh_token');
  });

  test('POST password grant (containerd) gets the same token', async () => {
    const minted = await mint();
    const response = await postPassword(minted.username, minted.password, { scope: 'repository:octo-org/app:pull' }).expect(200);
    expect(response.body.access_token).toBe(response.body.token);
    expect(decodeJwt(response.body.access_token).access).toEqual([{ type: 'repository', name: 'octo-org/app', actions: ['pull'] }]);
  });

  test('the brute-force protection neither counts nor consults a minted password, right, wrong or malformed', async () => {
    const minted = await mint();
    throttle.calls.length = 0;
    await get(minted.username, minted.password).expect(200);
    await get(minted.username, unknownPassword()).expect(401);
    await get(minted.username, `regauth_fed_${'A'.repeat(32)}000000`).expect(401);
    await get(minted.username, `${minted.password.slice(0, -1)}x`).expect(401);
    expect(throttle.calls).toEqual([]);
  });

  test('a well-formed password nobody was given, a malformed one, or another credential’s username: 401 invalid_credentials', async () => {
    const minted = await mint();
    const other = await mint();
    const message = 'invalid username or secret';
    for (const [username, password] of [
      [minted.username, unknownPassword()],
      [minted.username, other.password.replace(/^(regauth_fed_)./, '$1Z')],
      [minted.username, `${minted.password}x`],
      [other.username, minted.password],
      ['deploy-token-1', minted.password],
    ] as const) {
      const response = await get(username, password).expect(401);
      expect(response.headers['www-authenticate']).toBe('Basic realm="regauth", charset="UTF-8"');
      expect(response.body).toEqual(unauthorizedBody('invalid_credentials', message));
    }
  });

  test('an account that is not the credential’s username: 401 account_mismatch', async () => {
    const minted = await mint();
    const response = await get(minted.username, minted.password, { account: 'someone-else' }).expect(401);
    expect(response.body.errors[0].detail.reason).toBe('account_mismatch');
  });

  test('no registry token outlives the credential by more than the one-minute minimum', async () => {
    const minted = await mint({ lifetimeSeconds: 240 });
    expect((await get(minted.username, minted.password).expect(200)).body.expires_in).toBe(240);
    clock.advance(3.5 * MINUTE);
    expect((await get(minted.username, minted.password).expect(200)).body.expires_in).toBe(60);
  });

  test('once expired: 401 token_expired for the password and the refresh token', async () => {
    const minted = await mint({ offline: true, lifetimeSeconds: 600 });
    clock.advance(10 * MINUTE);
    const expired = `the minted credential expired at ${minted.expiresAt.toISOString()}: exchange a new identity token`;
    expect((await get(minted.username, minted.password).expect(401)).body).toEqual(unauthorizedBody('token_expired', expired));
    expect((await postRefresh(minted.refreshToken as string, 'repository:octo-org/app:pull').expect(401)).body).toEqual(
      unauthorizedBody('token_expired', expired),
    );
  });

  test('docker login with offline_token=true gets a regauth_fedrt_ refresh token; the refresh grant then works like the password', async () => {
    const minted = await mint();
    const login = await get(minted.username, minted.password, { offline_token: 'true', client_id: 'docker', account: minted.username }).expect(200);
    expect(login.body.refresh_token).toMatch(/^regauth_fedrt_[A-Za-z0-9_-]{43}$/);

    const refreshed = await postRefresh(login.body.refresh_token, 'repository:octo-org/app:push,pull').expect(200);
    expect(decodeJwt(refreshed.body.access_token)).toMatchObject({
      sub: minted.username,
      access: [{ type: 'repository', name: 'octo-org/app', actions: ['push', 'pull'] }],
    });
    expect(refreshed.body).not.toHaveProperty('refresh_token');
    // A second login replaces the refresh token: the newest one is the one that works.
    const again = await postPassword(minted.username, minted.password, { access_type: 'offline' }).expect(200);
    await postRefresh(again.body.refresh_token, 'repository:octo-org/app:pull').expect(200);
    expect((await postRefresh(login.body.refresh_token, 'repository:octo-org/app:pull').expect(401)).body.errors[0].detail.reason).toBe(
      'invalid_refresh_token',
    );
  });

  test('a refresh token minted with the credential (the JWT as docker login password) works at once', async () => {
    const minted = await mint({ offline: true });
    expect(minted.refreshToken).toMatch(/^regauth_fedrt_/);
    await postRefresh(minted.refreshToken as string, 'repository:octo-org/app:pull').expect(200);
  });

  test('revocation through the admin use case stops the password and the refresh token at the next request', async () => {
    const minted = await mint({ offline: true });
    await get(minted.username, minted.password).expect(200);
    await federation.admin.revoke(minted.username);
    const message = 'the minted credential has been revoked';
    expect((await get(minted.username, minted.password).expect(401)).body).toEqual(unauthorizedBody('token_revoked', message));
    expect((await postPassword(minted.username, minted.password).expect(401)).body).toEqual(unauthorizedBody('token_revoked', message));
    expect((await postRefresh(minted.refreshToken as string, 'repository:octo-org/app:pull').expect(401)).body).toEqual(
      unauthorizedBody('token_revoked', message),
    );
  });

  test('token.issued records carry the credential, its issuer, policy and claims snapshot; minted and revoked are audited without any secret', async () => {
    const minted = await mint({ offline: true });
    const response = await get(minted.username, minted.password, { scope: 'repository:octo-org/app:pull' }).expect(200);
    await federation.admin.revoke(String(minted.credential.id));
    await service.regauth.flush();

    const issued = (await service.regauth.admin.audit({ event: 'token.issued', limit: 1 })).items[0];
    expect(issued).toMatchObject({
      actor: minted.username,
      username: minted.username,
      tokenId: null,
      details: {
        grant: 'password',
        federatedCredentialId: minted.credential.id,
        issuerId: 7,
        policyId: 3,
        claims: CLAIMS,
        jti: decodeJwt(response.body.token).jti,
      },
    });
    const mintedEvent = (await service.regauth.admin.audit({ event: 'federated_credential.minted', limit: 1 })).items[0];
    expect(mintedEvent).toMatchObject({
      actor: minted.username,
      details: {
        federatedCredentialId: minted.credential.id,
        issuerId: 7,
        issuer: 'github',
        policyId: 3,
        policy: 'octo-org app pushes',
        jti: `jti-${jtiCounter}`,
        claims: CLAIMS,
        refreshTokenIssued: true,
      },
    });
    const revokedEvent = (await service.regauth.admin.audit({ event: 'federated_credential.revoked', limit: 1 })).items[0];
    expect(revokedEvent).toMatchObject({ actor: 'cli', username: minted.username, details: { federatedCredentialId: minted.credential.id } });
    const everything = JSON.stringify([issued, mintedEvent, revokedEvent]);
    for (const secret of [minted.password, minted.refreshToken as string, `token-of-jti-${jtiCounter}`]) expect(everything).not.toContain(secret);
    expect(JSON.stringify(service.logger.records)).not.toContain(minted.password);
  });

  test('deploy tokens still work beside minted credentials', async () => {
    const created = await service.regauth.admin.create({ name: 'ci', repositories: ['team/app'], scopes: ['read_registry'] });
    const response = await get(created.token.username, created.secret, { scope: 'repository:team/app:pull' }).expect(200);
    expect(decodeJwt(response.body.token).sub).toBe(created.token.username);
  });
});
