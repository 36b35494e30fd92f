import { rightsOf, type DeployToken } from '../../core/deploy-token.js';
import type { DeployTokenAuthenticator } from '../deploy-token-authenticator.js';
import type { DeployTokenUseRecorder } from '../deploy-token-use-recorder.js';
import { InvalidCredentialsError, OverloadedError } from '../errors.js';
import type { LoginAllowance, LoginAttempt, LoginThrottle } from '../ports.js';
import type { RefreshTokens } from '../refresh-tokens.js';
import { unavailableOnFailure } from '../unavailable.js';
import type { CredentialContext, CredentialModule, TokenCredentials, TokenPrincipal } from './token-principal.js';

export interface DeployTokenSecretCredentialsDeps {
  readonly authenticator: DeployTokenAuthenticator;
  readonly throttle: LoginThrottle;
  readonly uses: DeployTokenUseRecorder;
  readonly refreshTokens: RefreshTokens;
}

/**
 * A deploy token's username and secret, behind the brute-force protection. Every password the modules
 * before it did not claim is judged here, as a deploy token's.
 */
export function deployTokenSecretCredentials(deps: DeployTokenSecretCredentialsDeps): CredentialModule {
  return {
    name: 'deploy-token secret',
    accepts: (credentials) => credentials.kind === 'password',
    authenticate: async (credentials: TokenCredentials, context: CredentialContext) => {
      if (credentials.kind !== 'password') throw new InvalidCredentialsError('none');
      const deployToken = await verifySecret(deps, credentials.username, credentials.secret, context.clientIp);
      return {
        ...deployTokenPrincipal(deployToken, deps.uses),
        issueRefreshToken: (clientId) => deps.refreshTokens.issue(deployToken, clientId),
      };
    },
  };
}

/** What a deploy token is granted, however it was proved. */
export function deployTokenPrincipal(deployToken: DeployToken, uses: DeployTokenUseRecorder): TokenPrincipal {
  return {
    username: deployToken.username,
    rights: rightsOf(deployToken),
    tokenLifetimeSeconds: deployToken.tokenLifetimeSeconds,
    deployTokenId: deployToken.id,
    auditDetails: {},
    recordUse: (at, clientIp) => uses.record(deployToken, at, clientIp),
  };
}

async function verifySecret(deps: DeployTokenSecretCredentialsDeps, username: string, secret: string, clientIp: string): Promise<DeployToken> {
  const { throttle } = deps;
  const attempt: LoginAttempt = { username, clientIp };
  // Before any lookup or bcrypt, so a locked-out attempt costs neither. A secret that passed bcrypt moments
  // ago needs no database: for it, what this process saw of locks and failures is what counts.
  let { pendingFailures } = throttle.recall(attempt);
  const beforeChecking = async (): Promise<LoginAllowance> => {
    const allowance = await unavailableOnFailure('login throttle', () => throttle.assertAllowed(attempt));
    pendingFailures ||= allowance.pendingFailures;
    return allowance;
  };
  try {
    const deployToken = await deps.authenticator.authenticate(username, secret, beforeChecking);
    if (pendingFailures) await unavailableOnFailure('login throttle', () => throttle.recordSuccess(attempt));
    return deployToken;
  } catch (error) {
    if (error instanceof InvalidCredentialsError && error.work !== 'none') {
      await unavailableOnFailure('login throttle', () => throttle.recordFailure(attempt, { hashed: error.work === 'hash' }));
    } else if (error instanceof OverloadedError) {
      await unavailableOnFailure('login throttle', () => throttle.recordTurnedAway(clientIp));
    }
    throw error;
  }
}
