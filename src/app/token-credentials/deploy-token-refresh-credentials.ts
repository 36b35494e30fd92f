import type { DeployTokenUseRecorder } from '../deploy-token-use-recorder.js';
import { InvalidRefreshTokenError } from '../errors.js';
import type { RefreshTokens } from '../refresh-tokens.js';
import { deployTokenPrincipal } from './deploy-token-secret-credentials.js';
import type { CredentialModule } from './token-principal.js';

/**
 * A deploy token's refresh token. It is a 256-bit random value looked up by its digest: it costs no hash
 * and cannot be guessed, so the brute-force protection neither counts nor refuses it. Every refresh token
 * the modules before it did not claim is judged here.
 */
export function deployTokenRefreshCredentials(refreshTokens: RefreshTokens, uses: DeployTokenUseRecorder): CredentialModule {
  return {
    name: 'deploy-token refresh token',
    accepts: (credentials) => credentials.kind === 'refresh_token',
    authenticate: async (credentials) => {
      if (credentials.kind !== 'refresh_token') throw new InvalidRefreshTokenError();
      return deployTokenPrincipal(await refreshTokens.authenticate(credentials.refreshToken), uses);
    },
  };
}
