import { deployTokenStatus, type DeployToken } from '../core/deploy-token.js';
import { isWellFormedSecret } from '../core/deploy-token-secret.js';
import { isPossibleUsername } from '../core/username.js';
import { DeployTokenExpiredError, DeployTokenRevokedError, InvalidCredentialsError } from './errors.js';
import type { Clock, DeployTokenStore, Logger, SecretHasher } from './ports.js';
import { unavailableOnFailure } from './unavailable.js';

/** last_used_at is a hint for operators, so one write a minute per token is enough. */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface DeployTokenAuthenticatorDeps {
  readonly store: DeployTokenStore;
  readonly hasher: SecretHasher;
  readonly clock: Clock;
  readonly logger: Logger;
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
   * exist. Expiry and revocation are only disclosed to a caller who proved the secret.
   */
  async authenticate(username: string, secret: string): Promise<DeployToken> {
    if (!isPossibleUsername(username) || !isWellFormedSecret(secret)) throw new InvalidCredentialsError();
    const token = await unavailableOnFailure('store', () => this.deps.store.findByUsername(username));
    const hash = token?.secretHash ?? (await this.dummyHash);
    const matches = await this.deps.hasher.verify(secret, hash);
    if (token === null || !matches) throw new InvalidCredentialsError();

    const now = this.deps.clock.now();
    const status = deployTokenStatus(token, now);
    if (status === 'revoked') throw new DeployTokenRevokedError();
    if (status === 'expired') throw new DeployTokenExpiredError(token.expiresAt as Date);
    await this.recordUse(token, now);
    return token;
  }

  private async recordUse(token: DeployToken, now: Date): Promise<void> {
    const last = token.lastUsedAt?.getTime() ?? Number.NEGATIVE_INFINITY;
    if (now.getTime() - last < LAST_USED_RESOLUTION_MS) return;
    try {
      await this.deps.store.markUsed(token.id, now);
    } catch (error) {
      this.deps.logger.warn('could not record last use of deploy token', { tokenId: token.id, error: String(error) });
    }
  }
}
