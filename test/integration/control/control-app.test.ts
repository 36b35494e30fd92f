import request from 'supertest';
import { StoreDeployTokenAdmin } from '../../../src/app/deploy-token-admin.js';
import { createControlApp } from '../../../src/adapters/control/control-app.js';
import { InMemoryDeployTokenStore, TransparentHasher } from '../../support/fake-ports.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { ManualClock } from '../../support/regauth-app.js';

describe('control API (the CLI’s channel to a server holding the embedded store)', () => {
  const store = new InMemoryDeployTokenStore();
  const app = createControlApp(
    new StoreDeployTokenAdmin({
      store,
      hasher: new TransparentHasher(),
      secrets: { generate: () => 'regauth_secret' },
      clock: new ManualClock(new Date('2026-11-23T10:00:00.000Z')),
      logger: new RecordingLogger(),
    }),
  );

  test('creates, lists and revokes through the use cases', async () => {
    const created = await request(app)
      .post('/v1/deploy-tokens')
      .send({ name: 'ci', repositories: ['team/app'], scopes: ['read_registry'] })
      .expect(201);
    expect(created.body).toMatchObject({ secret: 'regauth_secret', token: { id: 1, username: 'deploy-token-1' } });
    expect((await request(app).get('/v1/deploy-tokens').expect(200)).body).toHaveLength(1);
    const revoked = await request(app).post('/v1/deploy-tokens/deploy-token-1/revoke').expect(200);
    expect(revoked.body).toMatchObject({ status: 'revoked' });
  });

  test.each([
    ['repositories that are not a list', { name: 'x', repositories: 'team/app', scopes: ['read_registry'] }],
    ['a missing name', { repositories: ['team/app'], scopes: ['read_registry'] }],
    ['an unknown field', { name: 'x', repositories: ['a'], scopes: ['read_registry'], admin: true }],
  ])('a body with %s is a 400 and creates nothing', async (_case, body) => {
    const before = store.tokens.length;
    const response = await request(app).post('/v1/deploy-tokens').send(body).expect(400);
    expect(response.body.error.code).toBe('invalid_input');
    expect(store.tokens).toHaveLength(before);
  });

  test('a refusal of the use case keeps its stable code and status', async () => {
    const unknown = await request(app).post('/v1/deploy-tokens/ghost/revoke').expect(404);
    expect(unknown.body).toEqual({ error: { code: 'not_found', message: 'no deploy token with id or username "ghost"' } });
    const badScope = await request(app)
      .post('/v1/deploy-tokens')
      .send({ name: 'x', repositories: ['a'], scopes: ['admin'] })
      .expect(400);
    expect(badScope.body.error.code).toBe('invalid_token_scope');
  });
});
