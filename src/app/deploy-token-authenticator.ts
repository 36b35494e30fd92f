import { deployTokenStatus, type DeployToken } from '../core/deploy-token.js';
import { isWellFormedSecret } from '../core/deploy-token-secret.js';
import { isPossibleUsername } from '../core/username.js';
import { DeployTokenExpiredError, DeployTokenRevokedError, InvalidCredentialsError } from './errors.js';
import type { Clock, CredentialCache, DeployTokenStore, SecretHasher } from './ports.js';
import { unavailableOnFailure } from './unavailable.js';

export interface DeployTokenAuthenticatorDeps {
  readonly store: DeployTokenStore;
  readonly hasher: SecretHasher;
  readonly clock: Clock;
  /** Without one, every check reads the store and costs a bcrypt. */
  readonly cache?: CredentialCache;
}

export class DeployTokenAuthenticator {
  /** Made up front: made on first use, it would make the first unknown username cost two hashes. */
  private readonly dummyHash: Promise<string>;

  constructor(private readonly deps: DeployTokenAuthenticatorDeps) {
    this.dummyHash = deps.hasher.hash('regauth-dummy-secret-for-unknown-usernames');
    // Awaited where it is used; this only keeps an early failure from being an unhandled rejection.
    this.dummyHash.catch(() => undefined);
  }

  /**
   * Verifies a username and secret. A secret or username that cannot exist is refused without a lookup;
   * an unknown username still costs one hash comparison, so response time does not reveal which usernames
   * exist. A pair checked recently is answered from the cache, right or wrong, with no lookup and no hash;
   * expiry is still judged now. Expiry and revocation are only disclosed to a caller who proved the secret.
   * `beforeChecking` runs unless the pair passed bcrypt recently (the lockout check: a hit needs none).
   */
  async authenticate(username: string, secret: string, beforeChecking: () => Promise<void> = async () => undefined): Promise<DeployToken> {
    const possible = isPossibleUsername(username) && isWellFormedSecret(secret);
    const { cache } = this.deps;
    const remembered = possible ? (cache?.lookup(username, secret) ?? null) : null;
    if (remembered?.outcome === 'verified') return usable(remembered.token, this.deps.clock.now());
    await beforeChecking();
    if (!possible || remembered?.outcome === 'refused') throw new InvalidCredentialsError();

    const ticket = cache?.ticket() ?? 0;
    const token = await unavailableOnFailure('store', () => this.deps.store.findByUsername(username));
    const hash = token?.secretHash ?? (await this.dummyHash);
    const matches = await this.deps.hasher.verify(secret, hash);
    if (token === null || !matches) {
      cache?.rememberRefused(username, secret, ticket);
      throw new InvalidCredentialsError();
    }
    cache?.rememberVerified(username, secret, token, ticket);
    return usable(token, this.deps.clock.now());
  }
}

function usable(token: DeployToken, now: Date): DeployToken {
  assertUsable(token, now);
  return token;
}

/** Expiry and revocation, disclosed only to a caller who proved they hold the token. */
export function assertUsable(token: DeployToken, now: Date): void {
  const status = deployTokenStatus(token, now);
  if (status === 'revoked') throw new DeployTokenRevokedError();
  if (status === 'expired') throw new DeployTokenExpiredError(token.expiresAt as Date);
}
