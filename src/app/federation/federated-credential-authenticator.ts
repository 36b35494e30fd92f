import { FEDERATED_REFRESH_TOKEN_PREFIX, FEDERATED_USERNAME_PREFIX, isWellFormedFederatedPassword } from '../../core/federation/federated-password.js';
import { isWellFormedOpaqueToken } from '../../core/opaque-token.js';
import { InvalidCredentialsError, InvalidRefreshTokenError } from '../errors.js';
import type { Clock, OpaqueTokens } from '../ports.js';
import { unavailableOnFailure } from '../unavailable.js';
import { FederatedCredentialExpiredError, FederatedCredentialRevokedError } from './federated-credential-errors.js';
import { federatedCredentialStatus } from './federated-credential-view.js';
import type { FederatedCredential, FederatedCredentialCache, FederatedCredentialStore, FederatedPasswords } from './federation-ports.js';

export interface FederatedCredentialAuthenticatorDeps {
  readonly store: FederatedCredentialStore;
  readonly passwords: FederatedPasswords;
  readonly tokens: OpaqueTokens;
  readonly clock: Clock;
  /** Password logins found recently; kept true to the store by its change feed. Absent: every login queries. */
  readonly cache?: FederatedCredentialCache;
}

/**
 * Logins with a minted credential: its password, or a refresh token bound to it. Both are high-entropy
 * values looked up by a digest (an HMAC for the password, SHA-256 for the refresh token), so a login costs
 * at most one indexed query and no bcrypt. A password login found once is remembered (a pull sends the same
 * credential on every request); the change feed forgets it on any replica's revocation, as the deploy
 * tokens' cache does. Expiry and revocation are judged on every login, and disclosed only once the password
 * or refresh token matched.
 */
export class FederatedCredentialAuthenticator {
  constructor(private readonly deps: FederatedCredentialAuthenticatorDeps) {}

  async authenticatePassword(username: string, password: string): Promise<FederatedCredential> {
    if (!username.startsWith(FEDERATED_USERNAME_PREFIX) || !isWellFormedFederatedPassword(password)) throw new InvalidCredentialsError('none');
    const { passwords, store } = this.deps;
    const digest = await unavailableOnFailure('store', () => passwords.digest(password));
    const { cache } = this.deps;
    const remembered = cache?.lookup(username, digest) ?? null;
    if (remembered !== null) return usable(remembered, this.deps.clock.now());
    const ticket = cache?.ticket();
    const found = await unavailableOnFailure('store', () => store.findByPasswordDigest(digest));
    if (found === null || !passwords.digestsEqual(found.passwordDigest, digest) || found.credential.username !== username) {
      throw new InvalidCredentialsError('none');
    }
    if (ticket !== undefined) cache?.remember(found.credential, found.passwordDigest, ticket);
    return usable(found.credential, this.deps.clock.now());
  }

  async authenticateRefreshToken(refreshToken: string): Promise<FederatedCredential> {
    if (!isWellFormedOpaqueToken(refreshToken, FEDERATED_REFRESH_TOKEN_PREFIX)) throw new InvalidRefreshTokenError();
    const digest = this.deps.tokens.digest(refreshToken);
    const credential = await unavailableOnFailure('store', () => this.deps.store.findByRefreshTokenDigest(digest));
    if (credential === null) throw new InvalidRefreshTokenError();
    return usable(credential, this.deps.clock.now());
  }

  /** A refresh token that lives no longer than the credential and dies with it; it replaces an earlier one. */
  async issueRefreshToken(credential: FederatedCredential): Promise<string> {
    const refreshToken = this.deps.tokens.generate(FEDERATED_REFRESH_TOKEN_PREFIX);
    const digest = this.deps.tokens.digest(refreshToken);
    const stored = await unavailableOnFailure('store', () => this.deps.store.setRefreshTokenDigest(credential.id, digest));
    if (!stored) throw new InvalidCredentialsError('none');
    return refreshToken;
  }
}

function usable(credential: FederatedCredential, now: Date): FederatedCredential {
  const status = federatedCredentialStatus(credential, now);
  if (status === 'revoked') throw new FederatedCredentialRevokedError();
  if (status === 'expired') throw new FederatedCredentialExpiredError(credential.expiresAt);
  return credential;
}
