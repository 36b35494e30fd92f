import { deployTokenStatus, type DeployToken } from '../core/deploy-token.js';
import { isWellFormedSecret } from '../core/deploy-token-secret.js';
import { isPossibleUsername } from '../core/username.js';
import { DeployTokenExpiredError, DeployTokenRevokedError, InvalidCredentialsError } from './errors.js';
import type { Clock, CredentialCache, DeployTokenStore, LoginAllowance, SecretHasher } from './ports.js';
import { unavailableOnFailure } from './unavailable.js';

export interface DeployTokenAuthenticatorDeps {
  readonly store: DeployTokenStore;
  readonly hasher: SecretHasher;
  readonly clock: Clock;
  /** Without one, every check reads the store and costs a bcrypt. */
  readonly cache?: CredentialCache;
}

/** What a lookup (and comparison) of a username and secret found: the token when the secret matches. */
interface CheckResult {
  readonly token: DeployToken | null;
  readonly hashed: boolean;
}

/** The lookup and bcrypt comparison of one username and secret while it runs. */
interface CheckInFlight {
  readonly ticket: number;
  readonly result: Promise<CheckResult>;
}

/** Runs before a username and secret are looked up: throws to refuse (a lockout), or says what is allowed. */
export type BeforeChecking = () => Promise<Pick<LoginAllowance, 'addressOverBudget'>>;

const ALLOW_EVERYTHING: BeforeChecking = async () => ({ addressOverBudget: false });

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
   * `beforeChecking` runs before a pair is looked up, unless it passed bcrypt recently (the lockout check: a
   * hit needs none); an address over its hashing budget is not given the hash of an unknown username.
   */
  async authenticate(username: string, secret: string, beforeChecking: BeforeChecking = ALLOW_EVERYTHING): Promise<DeployToken> {
    if (!isPossibleUsername(username) || !isWellFormedSecret(secret)) throw new InvalidCredentialsError('none');
    const { cache } = this.deps;
    const remembered = cache?.lookup(username, secret) ?? null;
    if (remembered?.outcome === 'verified') return usable(remembered.token, this.deps.clock.now());
    const { addressOverBudget } = await beforeChecking();
    if (remembered?.outcome === 'refused') throw new InvalidCredentialsError('lookup');

    const { token, hashed } = await this.check(username, secret, addressOverBudget);
    if (token === null) throw new InvalidCredentialsError(hashed ? 'hash' : 'lookup');
    return usable(token, this.deps.clock.now());
  }

  /**
   * Requests that bring the same username and secret while a check of them runs share it: a node starting
   * fifty pods with one pull secret costs one bcrypt, not fifty, and does not fill the bcrypt queue. Only
   * while no change to any deploy token has been seen since the check began (the cache's ticket), so a
   * revocation made meanwhile is never answered with what the check read before it. Without a cache no
   * change is seen at all, and nothing is shared.
   */
  private check(username: string, secret: string, spareUnknownUsername: boolean): Promise<CheckResult> {
    const { cache } = this.deps;
    if (cache === undefined) return this.lookUpAndCompare(username, secret, 0, spareUnknownUsername);
    const key = `${username}\n${secret}`;
    const running = this.checksInFlight.get(key);
    if (running !== undefined && cache.isCurrent(running.ticket)) return running.result;
    const ticket = cache.ticket();
    const result = this.lookUpAndCompare(username, secret, ticket, spareUnknownUsername);
    const flight: CheckInFlight = { ticket, result };
    this.checksInFlight.set(key, flight);
    const done = () => {
      if (this.checksInFlight.get(key) === flight) this.checksInFlight.delete(key);
    };
    result.then(done, done);
    return result;
  }

  private async lookUpAndCompare(username: string, secret: string, ticket: number, spareUnknownUsername: boolean): Promise<CheckResult> {
    const { cache } = this.deps;
    const token = await unavailableOnFailure('store', () => this.deps.store.findByUsername(username));
    if (token === null && spareUnknownUsername) {
      cache?.rememberRefused(username, secret, ticket);
      return { token: null, hashed: false };
    }
    const hash = token?.secretHash ?? (await this.dummyHash);
    const matches = await this.deps.hasher.verify(secret, hash);
    if (token === null || !matches) {
      cache?.rememberRefused(username, secret, ticket);
      return { token: null, hashed: true };
    }
    cache?.rememberVerified(username, secret, token, ticket);
    return { token, hashed: true };
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
