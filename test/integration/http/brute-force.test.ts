import { jest } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { BcryptSecretHasher } from '../../../src/adapters/crypto/bcrypt-secret-hasher.js';
import { OverloadedError } from '../../../src/app/errors.js';
import { composeSecret, SECRET_RANDOM_LENGTH } from '../../../src/core/deploy-token-secret.js';
import { RecordingLoginThrottle } from '../../support/fake-ports.js';
import { createTestRegauth, type TestRegauth } from '../../support/regauth-app.js';

const T0 = new Date('2026-11-23T10:00:00.000Z');
const SERVICE = 'registry';

interface Credentials {
  readonly username: string;
  readonly secret: string;
}

const basic = ({ username, secret }: Credentials) => `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}`;
const wrongSecret = () => composeSecret(randomBytes(SECRET_RANDOM_LENGTH));

function lockedOutBody(seconds: number) {
  const message = `too many failed attempts: try again in ${seconds} s`;
  return {
    error: 'too_many_requests',
    error_description: message,
    errors: [{ code: 'TOOMANYREQUESTS', message, detail: { reason: 'too_many_attempts' } }],
  };
}

/** Only `Date` is faked: the lockout counters read Date.now(), PGlite and the HTTP stack keep real timers. */
function controlTheClock(): { advance(ms: number): void } {
  let now = T0.getTime();
  beforeEach(() => {
    jest.useFakeTimers({
      doNotFake: ['hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
    });
    // Each test a day after the last: no counter of an earlier test is still running.
    now += 86_400_000;
    jest.setSystemTime(now);
  });
  afterEach(() => {
    jest.useRealTimers();
  });
  return {
    advance: (ms) => {
      now += ms;
      jest.setSystemTime(now);
    },
  };
}

async function createDeployToken(service: TestRegauth, name: string): Promise<Credentials> {
  const created = await service.regauth.admin.create({ name, repositories: ['team/app'], scopes: ['read_registry'] });
  return { username: created.token.username, secret: created.secret };
}

describe('brute-force protection at the token endpoint', () => {
  describe('behind a trusted proxy (X-Forwarded-For names the client)', () => {
    const clock = controlTheClock();
    let service: TestRegauth;
    let token: Credentials;

    const get = (credentials: Credentials, clientIp: string) =>
      request(service.regauth.app).get('/token').query({ service: SERVICE }).set('X-Forwarded-For', clientIp).set('Authorization', basic(credentials));
    const post = (credentials: Credentials, clientIp: string) =>
      request(service.regauth.app)
        .post('/token')
        .type('form')
        .set('X-Forwarded-For', clientIp)
        .send({ grant_type: 'password', client_id: 'containerd-client', username: credentials.username, password: credentials.secret, service: SERVICE });
    const failTimes = async (times: number, clientIp: string, username = token.username) => {
      for (let attempt = 0; attempt < times; attempt += 1) await get({ username, secret: wrongSecret() }, clientIp).expect(401);
    };

    beforeAll(async () => {
      service = await createTestRegauth({}, { REGAUTH_TRUSTED_PROXIES: 'loopback' });
      token = await createDeployToken(service, 'cluster');
    }, 60_000);

    afterAll(async () => {
      await service?.close();
    });

    test('after 10 wrong secrets the username is locked for that client: 429, Retry-After and an error body, even with the right secret', async () => {
      await failTimes(10, '203.0.113.1');

      const response = await get(token, '203.0.113.1').expect(429);

      expect(response.headers['retry-after']).toBe('60');
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['www-authenticate']).toBeUndefined();
      expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(response.body).toEqual(lockedOutBody(60));
    });

    test('containerd’s POST gets the same 429 (and does not fall back to GET on it)', async () => {
      await failTimes(10, '203.0.113.2');

      const response = await post(token, '203.0.113.2').expect(429);

      expect(response.headers['retry-after']).toBe('60');
      expect(response.body).toEqual(lockedOutBody(60));
    });

    test('the lock ends after Retry-After, and the right secret then works', async () => {
      await failTimes(10, '203.0.113.3');
      clock.advance(30_000);
      expect((await get(token, '203.0.113.3').expect(429)).headers['retry-after']).toBe('30');

      clock.advance(30_000);
      await get(token, '203.0.113.3').expect(200);
    });

    test('a correct secret from another address is not locked out by someone else’s failures on the same username', async () => {
      await failTimes(10, '203.0.113.4');
      // The stale secret keeps coming in a burst, as a node retrying its imagePullSecrets does.
      for (let attempt = 0; attempt < 20; attempt += 1) await get({ username: token.username, secret: wrongSecret() }, '203.0.113.4').expect(429);
      await get(token, '203.0.113.4').expect(429);

      await get(token, '203.0.113.5').expect(200);
      await post(token, '2001:db8::5').expect(200);
    });

    test('a success from the client clears its earlier failures', async () => {
      await failTimes(9, '203.0.113.6');
      await get(token, '203.0.113.6').expect(200);
      await failTimes(9, '203.0.113.6');
      await get(token, '203.0.113.6').expect(200);
    });

    test('valid credentials from an address that sent 120 wrong logins are still answered 200 (secret and refresh token)', async () => {
      const login = await request(service.regauth.app)
        .post('/token')
        .type('form')
        .set('X-Forwarded-For', '203.0.113.7')
        .send({ grant_type: 'password', access_type: 'offline', client_id: 'docker', username: token.username, password: token.secret, service: SERVICE })
        .expect(200);
      for (let guess = 0; guess < 120; guess += 1) {
        await get({ username: `guess-${guess}`, secret: wrongSecret() }, '203.0.113.7').expect(401);
      }

      await get(token, '203.0.113.7').expect(200);
      await post(token, '203.0.113.7').expect(200);
      await request(service.regauth.app)
        .post('/token')
        .type('form')
        .set('X-Forwarded-For', '203.0.113.7')
        .send({ grant_type: 'refresh_token', refresh_token: login.body.refresh_token, service: SERVICE })
        .expect(200);
    });

    test('the reproduction: 120 malformed logins (curl -u nobody$i:x) feed no lock, and a valid secret from that address gets 200', async () => {
      for (let attempt = 0; attempt < 120; attempt += 1) {
        await get({ username: `nobody${attempt}`, secret: 'x' }, '203.0.113.8').expect(401);
      }
      await get(token, '203.0.113.8').expect(200);
      // Not even the (username, address) rule counts what cannot be a secret.
      for (let attempt = 0; attempt < 12; attempt += 1) await get({ username: token.username, secret: 'x' }, '203.0.113.8').expect(401);
      await get(token, '203.0.113.8').expect(200);
    });

    test('wrong refresh tokens feed no lock: they cost no bcrypt and cannot be guessed', async () => {
      for (let attempt = 0; attempt < 120; attempt += 1) {
        await request(service.regauth.app)
          .post('/token')
          .type('form')
          .set('X-Forwarded-For', '203.0.113.9')
          .send({ grant_type: 'refresh_token', refresh_token: `regauth_rt_${randomBytes(8).toString('hex')}`, service: SERVICE })
          .expect(401);
      }
      await get(token, '203.0.113.9').expect(200);
    });

    test('a locked attempt is audited as too_many_attempts, from the forwarded address', async () => {
      await failTimes(10, '203.0.113.10');
      await get(token, '203.0.113.10').expect(429);

      const failures = service.logger.records.filter(
        (record) => record.fields.event === 'auth.failed' && record.fields.clientIp === '203.0.113.10',
      );
      expect(failures.map((record) => record.fields.reason)).toEqual([...Array<string>(10).fill('invalid_credentials'), 'too_many_attempts']);
      expect(failures.at(-1)?.fields).toMatchObject({ username: token.username, grant: 'password' });
    });

    test('only the nearest untrusted hop counts: a client cannot escape a lock by prepending addresses', async () => {
      await failTimes(10, '203.0.113.11');

      await get(token, '198.51.100.1, 203.0.113.11').expect(429);
      await get(token, '198.51.100.2, 203.0.113.11').expect(429);
    });
  });

  describe('without trusted proxies (the default)', () => {
    controlTheClock();
    let service: TestRegauth;
    let token: Credentials;

    beforeAll(async () => {
      service = await createTestRegauth();
      token = await createDeployToken(service, 'cluster');
    }, 60_000);

    afterAll(async () => {
      await service?.close();
    });

    test('X-Forwarded-For is ignored: the peer’s address is the client, whatever the header says', async () => {
      for (let attempt = 0; attempt < 10; attempt += 1) {
        await request(service.regauth.app)
          .get('/token')
          .query({ service: SERVICE })
          .set('X-Forwarded-For', `203.0.113.${attempt}`)
          .set('Authorization', basic({ username: token.username, secret: wrongSecret() }))
          .expect(401);
      }

      await request(service.regauth.app)
        .get('/token')
        .query({ service: SERVICE })
        .set('X-Forwarded-For', '203.0.113.200')
        .set('Authorization', basic(token))
        .expect(429);
      const failure = service.logger.records.findLast((record) => record.fields.event === 'auth.failed');
      expect(failure?.fields.clientIp).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    });
  });

  describe('a trusted proxy list that does not hold the peer', () => {
    let service: TestRegauth;

    beforeAll(async () => {
      service = await createTestRegauth({}, { REGAUTH_TRUSTED_PROXIES: '10.42.0.0/16,192.0.2.1' });
    }, 60_000);

    afterAll(async () => {
      await service?.close();
    });

    test('ignores X-Forwarded-For from it', async () => {
      await request(service.regauth.app)
        .get('/token')
        .query({ service: SERVICE })
        .set('X-Forwarded-For', '203.0.113.50')
        .set('Authorization', basic({ username: 'nobody', secret: wrongSecret() }))
        .expect(401);
      const failure = service.logger.records.findLast((record) => record.fields.event === 'auth.failed');
      expect(failure?.fields.clientIp).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    });
  });

  describe('when the counters cannot be reached', () => {
    let service: TestRegauth;
    let token: Credentials;

    beforeAll(async () => {
      const down = async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
      };
      service = await createTestRegauth({
        loginThrottle: { recall: () => ({ pendingFailures: false }), assertAllowed: down, recordFailure: down, recordTurnedAway: down, recordSuccess: down },
      });
      token = await createDeployToken(service, 'cluster');
    }, 60_000);

    afterAll(async () => {
      await service?.close();
    });

    test('fails closed: 503 with Retry-After, nothing granted, even for the right secret', async () => {
      const response = await request(service.regauth.app).get('/token').query({ service: SERVICE }).set('Authorization', basic(token)).expect(503);

      expect(response.headers['retry-after']).toBe('5');
      expect(response.body).toEqual({
        error: 'temporarily_unavailable',
        error_description: 'login throttle is unavailable',
        errors: [{ code: 'UNAVAILABLE', message: 'login throttle is unavailable', detail: { reason: 'unavailable' } }],
      });
    });

    test('anonymous requests do not need the counters', async () => {
      await request(service.regauth.app).get('/token').query({ service: SERVICE }).expect(200);
    });
  });

  describe('REGAUTH_BRUTE_FORCE_PROTECTION=false', () => {
    let service: TestRegauth;
    let token: Credentials;

    beforeAll(async () => {
      service = await createTestRegauth({}, { REGAUTH_BRUTE_FORCE_PROTECTION: 'false' });
      token = await createDeployToken(service, 'cluster');
    }, 60_000);

    afterAll(async () => {
      await service?.close();
    });

    test('never locks', async () => {
      for (let attempt = 0; attempt < 15; attempt += 1) {
        await request(service.regauth.app)
          .get('/token')
          .query({ service: SERVICE })
          .set('Authorization', basic({ username: token.username, secret: wrongSecret() }))
          .expect(401);
      }
      await request(service.regauth.app).get('/token').query({ service: SERVICE }).set('Authorization', basic(token)).expect(200);
    });
  });
});

describe('a secret that passed bcrypt moments ago', () => {
  let service: TestRegauth;
  let token: Credentials;
  let throttle: RecordingLoginThrottle;

  beforeAll(async () => {
    throttle = new RecordingLoginThrottle();
    throttle.pendingFailures = false;
    service = await createTestRegauth({ loginThrottle: throttle });
    token = await createDeployToken(service, 'hot');
  }, 60_000);

  afterAll(async () => {
    await service?.close();
  });

  test('is served from the cache without reading the counters: the hot path makes no database round trip', async () => {
    const pull = () => request(service.regauth.app).get('/token').query({ service: SERVICE, scope: 'repository:team/app:pull' }).set('Authorization', basic(token));
    await pull().expect(200);
    expect(throttle.calls.map(([method]) => method)).toEqual(['assertAllowed']);

    await pull().expect(200);
    await pull().expect(200);
    expect(throttle.calls.map(([method]) => method)).toEqual(['assertAllowed']);
  });

  test('a wrong secret still reads the counters, and is counted', async () => {
    throttle.calls.length = 0;
    await request(service.regauth.app).get('/token').query({ service: SERVICE }).set('Authorization', basic({ username: token.username, secret: wrongSecret() })).expect(401);
    expect(throttle.calls.map(([method]) => method)).toEqual(['assertAllowed', 'recordFailure']);
  });
});

/** Counts the secret comparisons it makes; `overloaded` makes it refuse them as a full bcrypt queue does. */
class CountingHasher extends BcryptSecretHasher {
  verifications = 0;
  overloaded = false;

  override async verify(secret: string, hash: string): Promise<boolean> {
    if (this.overloaded) throw new OverloadedError('secret verification');
    this.verifications += 1;
    return super.verify(secret, hash);
  }
}

describe('the per-address rule limits the hashing work an address causes, never valid credentials', () => {
  controlTheClock();
  let service: TestRegauth;
  let token: Credentials;
  let hasher: CountingHasher;

  const get = (credentials: Credentials, clientIp: string) =>
    request(service.regauth.app).get('/token').query({ service: SERVICE }).set('X-Forwarded-For', clientIp).set('Authorization', basic(credentials));
  /** Hashes spent on one more guess of an unknown username from `clientIp`. */
  const hashesForAGuess = async (clientIp: string): Promise<number> => {
    const before = hasher.verifications;
    await get({ username: `guess-${randomBytes(4).toString('hex')}`, secret: wrongSecret() }, clientIp).expect(401);
    return hasher.verifications - before;
  };

  beforeAll(async () => {
    hasher = new CountingHasher(4);
    service = await createTestRegauth({ hasher }, { REGAUTH_TRUSTED_PROXIES: 'loopback', REGAUTH_CREDENTIAL_CACHE_FAILURE_TTL: '0' });
    token = await createDeployToken(service, 'budget');
  }, 60_000);

  afterAll(async () => {
    await service?.close();
  });

  beforeEach(() => {
    hasher.overloaded = false;
  });

  test('after 100 hashed failures, guesses of unknown usernames from that address cost no hash; other addresses still get one', async () => {
    for (let guess = 0; guess < 100; guess += 1) expect(await hashesForAGuess('198.51.100.1')).toBe(1);

    expect(await hashesForAGuess('198.51.100.1')).toBe(0);
    expect(await hashesForAGuess('198.51.100.1')).toBe(0);
    expect(await hashesForAGuess('198.51.100.2')).toBe(1);
    // The right secret is still checked, and answered.
    await get(token, '198.51.100.1').expect(200);
  });

  test('the budget is per IPv6 /64: addresses of one /64 share it, another /64 has its own', async () => {
    for (let guess = 0; guess < 100; guess += 1) expect(await hashesForAGuess(`2001:db8:1:2::${(guess + 1).toString(16)}`)).toBe(1);

    expect(await hashesForAGuess('2001:db8:1:2:ffff:ffff:ffff:ffff')).toBe(0);
    expect(await hashesForAGuess('2001:db8:1:3::1')).toBe(1);
    await get(token, '2001:db8:1:2::abcd').expect(200);
  });

  test('answers turned away because the bcrypt queue is full count towards the budget', async () => {
    hasher.overloaded = true;
    for (let attempt = 0; attempt < 100; attempt += 1) {
      await get({ username: `guess-${attempt}`, secret: wrongSecret() }, '198.51.100.3').expect(503);
    }
    hasher.overloaded = false;

    expect(await hashesForAGuess('198.51.100.3')).toBe(0);
    await get(token, '198.51.100.3').expect(200);
  });

  test('a wrong secret for an existing username is still hashed (it could have been right) and still locks that username and address after 10', async () => {
    for (let guess = 0; guess < 100; guess += 1) await hashesForAGuess('198.51.100.4');
    const before = hasher.verifications;
    for (let attempt = 0; attempt < 10; attempt += 1) await get({ username: token.username, secret: wrongSecret() }, '198.51.100.4').expect(401);
    expect(hasher.verifications - before).toBe(10);

    await get(token, '198.51.100.4').expect(429);
    expect(hasher.verifications - before).toBe(10);
  });
});
