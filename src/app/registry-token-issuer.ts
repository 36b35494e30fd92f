import { decideAccess, type AccessDecision } from '../core/access-policy.js';
import { actionsForScopes, type DeployToken } from '../core/deploy-token.js';
import { RegauthError } from '../core/regauth-error.js';
import { buildRegistryClaims } from '../core/registry-claims.js';
import { parseScopeParameters } from '../core/scope.js';
import type { DeployTokenAuthenticator } from './deploy-token-authenticator.js';
import { AccountMismatchError, UnknownServiceError } from './errors.js';
import type { Clock, IdGenerator, Logger, RegistryTokenSigner } from './ports.js';
import { unavailableOnFailure } from './unavailable.js';

export interface RegistryTokenSettings {
  readonly issuer: string;
  readonly service: string;
  readonly lifetimeSeconds: number;
}

export interface RegistryTokenRequest {
  readonly credentials: { readonly username: string; readonly secret: string } | null;
  /** The `account` the client claims; must match the credentials' username when both are given. */
  readonly account: string | null;
  readonly service: string | null;
  /** Raw `scope` values as sent: repeated, space-separated or both. */
  readonly scopeParameters: readonly string[];
  readonly clientIp?: string;
}

export interface IssuedRegistryToken {
  readonly token: string;
  readonly expiresIn: number;
  readonly issuedAt: Date;
  readonly subject: string | null;
  readonly decision: AccessDecision;
}

export interface RegistryTokenIssuerDeps {
  readonly authenticator: DeployTokenAuthenticator;
  readonly signer: RegistryTokenSigner;
  readonly clock: Clock;
  readonly jwtIds: IdGenerator;
  readonly logger: Logger;
  readonly settings: RegistryTokenSettings;
}

export class RegistryTokenIssuer {
  constructor(private readonly deps: RegistryTokenIssuerDeps) {}

  async issue(request: RegistryTokenRequest): Promise<IssuedRegistryToken> {
    const { settings } = this.deps;
    if (request.service !== null && request.service !== settings.service) {
      throw new UnknownServiceError(request.service);
    }
    const scopes = parseScopeParameters(request.scopeParameters);
    const deployToken = request.credentials === null ? null : await this.authenticate(request);
    const decision = decideAccess(
      scopes,
      deployToken === null
        ? null
        : { repositories: deployToken.repositories, actions: actionsForScopes(deployToken.scopes) },
    );

    const issuedAt = this.deps.clock.now();
    const claims = buildRegistryClaims({
      issuer: settings.issuer,
      service: settings.service,
      ...(deployToken === null ? {} : { subject: deployToken.username }),
      access: decision.granted,
      issuedAt,
      lifetimeSeconds: settings.lifetimeSeconds,
      jwtId: this.deps.jwtIds.next(),
    });
    const token = await unavailableOnFailure('signing key', () => this.deps.signer.sign(claims));
    this.deps.logger.info('registry token issued', {
      event: 'token.issued',
      subject: deployToken?.username ?? null,
      clientIp: request.clientIp,
      granted: decision.granted,
      refused: decision.refused,
    });
    return {
      token,
      expiresIn: settings.lifetimeSeconds,
      issuedAt,
      subject: deployToken?.username ?? null,
      decision,
    };
  }

  private async authenticate(request: RegistryTokenRequest): Promise<DeployToken> {
    const { username, secret } = request.credentials as NonNullable<RegistryTokenRequest['credentials']>;
    try {
      if (request.account !== null && request.account !== username) throw new AccountMismatchError();
      return await this.deps.authenticator.authenticate(username, secret);
    } catch (error) {
      if (error instanceof RegauthError && error.code !== 'unavailable') {
        this.deps.logger.warn('authentication failed', {
          event: 'auth.failed',
          username: username.slice(0, 64),
          reason: error.code,
          clientIp: request.clientIp,
        });
      }
      throw error;
    }
  }
}
