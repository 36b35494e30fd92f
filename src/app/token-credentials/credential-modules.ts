import { deployTokenRefreshCredentials } from './deploy-token-refresh-credentials.js';
import { deployTokenSecretCredentials, type DeployTokenSecretCredentialsDeps } from './deploy-token-secret-credentials.js';
import {
  federatedPasswordCredentials,
  federatedRefreshCredentials,
  type FederatedTokenCredentialsDeps,
} from './federated-credentials-on-token-endpoint.js';
import type { CredentialModule, TokenCredentials } from './token-principal.js';

export interface TokenCredentialModulesDeps {
  readonly deployTokens: DeployTokenSecretCredentialsDeps;
  /** Absent: minted credentials are not accepted (a store without federation). */
  readonly federated?: FederatedTokenCredentialsDeps;
  /** Modules tried before all others (a JWT as the `docker login` password with the username `oidc`). */
  readonly first?: readonly CredentialModule[];
}

/**
 * The kinds of credential the token endpoint accepts, in the order they are tried. The modules before the
 * last two claim credentials by a shape of their own (a prefix); the deploy token's refresh token and secret
 * come last and take every refresh token and password left, so a new kind goes before them.
 */
export function tokenCredentialModules(deps: TokenCredentialModulesDeps): readonly CredentialModule[] {
  const { deployTokens, federated } = deps;
  return [
    ...(deps.first ?? []),
    ...(federated === undefined ? [] : [federatedPasswordCredentials(federated), federatedRefreshCredentials(federated)]),
    deployTokenRefreshCredentials(deployTokens.refreshTokens, deployTokens.uses),
    deployTokenSecretCredentials(deployTokens),
  ];
}

/** The one place a request's credentials are matched to their module: the first, in order, that accepts them. */
export function credentialModuleFor(modules: readonly CredentialModule[], credentials: TokenCredentials): CredentialModule {
  const module = modules.find((candidate) => candidate.accepts(credentials));
  if (module === undefined) throw new Error(`no credential module accepts ${credentials.kind} credentials`);
  return module;
}
