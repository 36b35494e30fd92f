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

/** The lookup and bcrypt comparison of one username and secret: the token when the secret matches. */
interface CheckInFlight {
  readonly ticket: number;
  readonly matched: Promise<DeployToken | null>;
}

export class DeployTokenAuthenticator {
  /** Made up front: made on first use, it would make the first unknown username cost two hashes. */
  private readonly dummyHash: Promise<string>;
  /** By username and secret (neither can hold a newline): only while the check runs, then dropped. */
  private readonly checksInFlight = new Map<string, CheckInFlight>();

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

    const token = await this.check(username, secret);
    if (token === null) throw new InvalidCredentialsError();
    return usable(token, this.deps.clock.now());
  }

  /**
   * Requests that bring the same username and secret while a check of them runs share it: a node starting
   * fifty pods with one pull secret costs one bcrypt, not fifty, and does not fill the bcrypt queue. Only
   * while no change to any deploy token has been seen since the check began (the cache's ticket), so a
   * revocation made meanwhile is never answered with what the check read before it. Without a cache no
   * change is seen at all, and nothing is shared.
   */
  private check(username: string, secret: string): Promise<DeployToken | null> {
    const { cache } = this.deps;
    if (cache === undefined) return this.lookUpAndCompare(username, secret, 0);
    const key = `${username}\n${secret}`;
    const running = this.checksInFlight.get(key);
    if (running !== undefined && cache.isCurrent(running.ticket)) return running.matched;
    const ticket = cache.ticket();
    const matched = this.lookUpAndCompare(username, secret, ticket);
    const flight: CheckInFlight = { ticket, matched };
    this.checksInFlight.set(key, flight);
    const done = () => {
      if (this.checksInFlight.get(key) === flight) this.checksInFlight.delete(key);
    };
    matched.then(done, done);
    return matched;
  }

  private async lookUpAndCompare(username: string, secret: string, ticket: number): Promise<DeployToken | null> {
    const { cache } = this.deps;
    const token = await unavailableOnFailure('store', () => this.deps.store.findByUsername(username));
    const hash = token?.secretHash ?? (await this.dummyHash);
    const matches = await this.deps.hasher.verify(secret, hash);
    if (token === null || !matches) {
      cache?.rememberRefused(username, secret, ticket);
      return null;
    }
    cache?.rememberVerified(username, secret, token, ticket);
    return token;
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
