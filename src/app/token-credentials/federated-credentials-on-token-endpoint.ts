import { rightsOf } from '../../core/deploy-token.js';
import { FEDERATED_REFRESH_TOKEN_PREFIX, looksLikeFederatedPassword } from '../../core/federation/federated-password.js';
import { InvalidCredentialsError, InvalidRefreshTokenError } from '../errors.js';
import type { FederatedCredentialAuthenticator } from '../federation/federated-credential-authenticator.js';
import type { FederatedCredentialUseRecorder } from '../federation/federated-credential-use-recorder.js';
import type { FederatedCredential } from '../federation/federation-ports.js';
import type { Clock } from '../ports.js';
import type { CredentialModule, TokenPrincipal } from './token-principal.js';

/** Registry tokens last at least this long (clients treat less as 60 s anyway). */
const MIN_TOKEN_LIFETIME_SECONDS = 60;

export interface FederatedTokenCredentialsDeps {
  readonly authenticator: FederatedCredentialAuthenticator;
  readonly uses: FederatedCredentialUseRecorder;
  readonly clock: Clock;
}

/**
 * A minted credential's username and password (`regauth_fed_…`). The password is a 190-bit value looked up
 * by its HMAC: like a refresh token, the brute-force protection neither counts nor refuses it, and one of the
 * wrong shape is refused on its shape.
 */
export function federatedPasswordCredentials(deps: FederatedTokenCredentialsDeps): CredentialModule {
  return {
    name: 'minted credential password',
    accepts: (credentials) => credentials.kind === 'password' && looksLikeFederatedPassword(credentials.secret),
    authenticate: async (credentials) => {
      if (credentials.kind !== 'password') throw new InvalidCredentialsError('none');
      const credential = await deps.authenticator.authenticatePassword(credentials.username, credentials.secret);
      return {
        ...federatedPrincipal(credential, deps),
        issueRefreshToken: () => deps.authenticator.issueRefreshToken(credential),
      };
    },
  };
}

/** A refresh token bound to a minted credential (`regauth_fedrt_…`): it works while the credential does. */
export function federatedRefreshCredentials(deps: FederatedTokenCredentialsDeps): CredentialModule {
  return {
    name: 'minted credential refresh token',
    accepts: (credentials) => credentials.kind === 'refresh_token' && credentials.refreshToken.startsWith(FEDERATED_REFRESH_TOKEN_PREFIX),
    authenticate: async (credentials) => {
      if (credentials.kind !== 'refresh_token') throw new InvalidRefreshTokenError();
      return federatedPrincipal(await deps.authenticator.authenticateRefreshToken(credentials.refreshToken), deps);
    },
  };
}

/** What a minted credential is granted: its policy's grants as minted, for no longer than it lives. */
export function federatedPrincipal(credential: FederatedCredential, deps: Pick<FederatedTokenCredentialsDeps, 'uses' | 'clock'>): TokenPrincipal {
  const remainingSeconds = Math.floor((credential.expiresAt.getTime() - deps.clock.now().getTime()) / 1000);
  return {
    username: credential.username,
    rights: rightsOf(credential),
    tokenLifetimeSeconds: null,
    tokenLifetimeLimitSeconds: Math.max(MIN_TOKEN_LIFETIME_SECONDS, remainingSeconds),
    deployTokenId: null,
    auditDetails: {
      federatedCredentialId: credential.id,
      issuerId: credential.issuerId,
      policyId: credential.policyId,
      claims: credential.claims,
    },
    recordUse: (at) => deps.uses.record(credential, at),
  };
}
