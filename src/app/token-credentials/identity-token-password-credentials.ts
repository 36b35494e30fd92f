import type { IdentityTokenExchange } from '../federation/identity-token-exchange.js';
import { InvalidCredentialsError } from '../errors.js';
import { federatedPrincipal, type FederatedTokenCredentialsDeps } from './federated-credentials-on-token-endpoint.js';
import type { CredentialModule } from './token-principal.js';

/** The fixed username that says "the password is an identity token": `docker login -u oidc`. */
export const IDENTITY_TOKEN_USERNAME = 'oidc';

/**
 * An identity token (a JWT) as the `docker login` password of the username `oidc`: it is exchanged as at the
 * exchange endpoint, and a refresh token bound to the minted credential is what docker keeps. Clients that
 * resend Basic credentials on every request (skopeo, containerd) should use the exchange instead: in `once`
 * mode a second presentation of the token is a replay.
 */
export function identityTokenPasswordCredentials(
  exchange: IdentityTokenExchange,
  deps: Pick<FederatedTokenCredentialsDeps, 'uses' | 'clock'>,
): CredentialModule {
  return {
    name: 'identity token as password',
    accepts: (credentials) => credentials.kind === 'password' && credentials.username === IDENTITY_TOKEN_USERNAME,
    authenticate: async (credentials, context) => {
      if (credentials.kind !== 'password') throw new InvalidCredentialsError('none');
      const exchanged = await exchange.exchange({ identityToken: credentials.secret, offline: true, clientIp: context.clientIp });
      const { refreshToken } = exchanged;
      return {
        ...federatedPrincipal(exchanged.credential, deps),
        ...(refreshToken === undefined ? {} : { issueRefreshToken: async () => refreshToken }),
      };
    },
  };
}
