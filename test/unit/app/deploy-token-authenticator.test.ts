import { randomBytes } from 'node:crypto';
import { DeployTokenAuthenticator } from '../../../src/app/deploy-token-authenticator.js';
import {
  DeployTokenExpiredError,
  DeployTokenRevokedError,
  InvalidCredentialsError,
  ServiceUnavailableError,
} from '../../../src/app/errors.js';
import { composeSecret, SECRET_RANDOM_LENGTH } from '../../../src/core/deploy-token-secret.js';
import { InMemoryDeployTokenStore, TransparentHasher } from '../../support/fake-ports.js';
import { ManualClock } from '../../support/regauth-app.js';

const T0 = new Date('2026-11-23T10:00:00.000Z');
const newSecret = () => composeSecret(randomBytes(SECRET_RANDOM_LENGTH));

describe('DeployTokenAuthenticator', () => {
  let store: InMemoryDeployTokenStore;
  let hasher: TransparentHasher;
  let clock: ManualClock;
  let authenticator: DeployTokenAuthenticator;
  let secret: string;

  beforeEach(async () => {
    store = new InMemoryDeployTokenStore();
    hasher = new TransparentHasher();
    clock = new ManualClock(T0);
    authenticator = new DeployTokenAuthenticator({ store, hasher, clock });
    secret = newSecret();
    await store.create({
      name: 'ci',
      username: 'ci-bot',
      secretHash: await hasher.hash(secret),
      repositories: ['team/app'],
      scopes: ['read_registry'],
      expiresAt: new Date('2026-12-01T00:00:00.000Z'),
      tokenLifetimeSeconds: null,
      createdAt: T0,
    });
  });

  test('returns the deploy token for its username and secret', async () => {
    await expect(authenticator.authenticate('ci-bot', secret)).resolves.toMatchObject({ id: 1, username: 'ci-bot' });
  });

  test('the dummy hash is made up front, so the first unknown username costs no extra hash', async () => {
    const hashed: string[] = [];
    const counting = Object.assign(Object.create(hasher) as TransparentHasher, {
      hash: async (text: string) => {
        hashed.push(text);
        return hasher.hash(text);
      },
    });
    const fresh = new DeployTokenAuthenticator({ store, hasher: counting, clock });
    expect(hashed).toEqual(['regauth-dummy-secret-for-unknown-usernames']);
    await expect(fresh.authenticate('nobody', secret)).rejects.toBeInstanceOf(InvalidCredentialsError);
    expect(hashed).toHaveLength(1);
  });

  test('an unknown username still costs one hash comparison, against a dummy hash', async () => {
    await expect(authenticator.authenticate('nobody', secret)).rejects.toBeInstanceOf(InvalidCredentialsError);
    expect(hasher.comparedAgainst).toEqual(['hash(regauth-dummy-secret-for-unknown-usernames)']);
  });

  test('a wrong secret is compared once against the real hash and refused', async () => {
    await expect(authenticator.authenticate('ci-bot', newSecret())).rejects.toBeInstanceOf(InvalidCredentialsError);
    expect(hasher.comparedAgainst).toEqual([`hash(${secret})`]);
  });

  test.each<[string, () => [string, string]]>([
    ['a secret without the regauth shape', () => ['ci-bot', 'hunter2']],
    ['a secret with a broken checksum', () => ['ci-bot', withBrokenChecksum(secret)]],
    ['a username that cannot exist', () => ['Robot$ci', secret]],
  ])('%s is refused without a lookup or a hash comparison', async (_case, attempt) => {
    const [username, given] = attempt();
    await expect(authenticator.authenticate(username, given)).rejects.toBeInstanceOf(InvalidCredentialsError);
    expect(store.lookups).toBe(0);
    expect(hasher.comparedAgainst).toEqual([]);
  });

  test('revocation is only disclosed to the holder of the secret', async () => {
    await store.revoke(1, T0);
    await expect(authenticator.authenticate('ci-bot', secret)).rejects.toBeInstanceOf(DeployTokenRevokedError);
    await expect(authenticator.authenticate('ci-bot', newSecret())).rejects.toBeInstanceOf(InvalidCredentialsError);
  });

  test('expiry is checked against the clock and only disclosed to the holder of the secret', async () => {
    clock.set(new Date('2026-12-01T00:00:00.000Z'));
    await expect(authenticator.authenticate('ci-bot', secret)).rejects.toEqual(
      new DeployTokenExpiredError(new Date('2026-12-01T00:00:00.000Z')),
    );
    await expect(authenticator.authenticate('ci-bot', newSecret())).rejects.toBeInstanceOf(InvalidCredentialsError);
  });

  test('authentication itself writes nothing to the store', async () => {
    await authenticator.authenticate('ci-bot', secret);
    expect(store.recordedUses).toEqual([]);
  });

  test('a store that fails makes authentication unavailable, not a refusal', async () => {
    store.failWith = new Error('connection refused');
    await expect(authenticator.authenticate('ci-bot', secret)).rejects.toBeInstanceOf(ServiceUnavailableError);
  });
});

function withBrokenChecksum(valid: string): string {
  return `${valid.slice(0, -1)}${valid.endsWith('A') ? 'B' : 'A'}`;
}
