import { decideAccess, type AccessDecision } from '../core/access-policy.js';
import { auditedClientId, auditedUsername } from '../core/audited-username.js';
import { RegauthError } from '../core/regauth-error.js';
import { buildRegistryClaims } from '../core/registry-claims.js';
import { parseScopeParameters } from '../core/scope.js';
import type { AuditTrail } from './audit-trail.js';
import type { DeployTokenAuthenticator } from './deploy-token-authenticator.js';
import type { DeployTokenUseRecorder } from './deploy-token-use-recorder.js';
import { AccountMismatchError, UnknownServiceError } from './errors.js';
import type { Clock, IdGenerator, LoginThrottle, RegistryTokenSigner } from './ports.js';
import type { RefreshTokens } from './refresh-tokens.js';
import { credentialModuleFor, tokenCredentialModules } from './token-credentials/credential-modules.js';
import type { FederatedTokenCredentialsDeps } from './token-credentials/federated-credentials-on-token-endpoint.js';
import type { CredentialModule, TokenCredentials, TokenPrincipal } from './token-credentials/token-principal.js';
import { unavailableOnFailure } from './unavailable.js';

export type { TokenCredentials } from './token-credentials/token-principal.js';

export interface RegistryTokenSettings {
  readonly issuer: string;
  readonly service: string;
  /** Lifetime of tokens for deploy tokens without their own, and for anonymous callers. */
  readonly lifetimeSeconds: number;
  /** No token lives longer, whatever its deploy token says. */
  readonly maxLifetimeSeconds: number;
  /** Repository patterns anyone may pull from, without credentials. */
  readonly publicRepositories: readonly string[];
}

export interface RegistryTokenRequest {
  readonly credentials: TokenCredentials | null;
  /** The `account` the client claims; must match the credentials' username when both are given. */
  readonly account: string | null;
  readonly service: string | null;
  /** Raw `scope` values as sent: repeated, space-separated or both. */
  readonly scopeParameters: readonly string[];
  /** The client asked for a refresh token (`offline_token=true` or `access_type=offline`). */
  readonly offline?: boolean;
  readonly clientId?: string | null;
  readonly clientIp?: string;
}

export interface IssuedRegistryToken {
  readonly token: string;
  readonly expiresIn: number;
  readonly issuedAt: Date;
  readonly subject: string | null;
  readonly decision: AccessDecision;
  /** Only when the client asked for offline access with a password (a deploy token's secret or a minted one). */
  readonly refreshToken?: string;
}

export interface RegistryTokenIssuerDeps {
  readonly authenticator: DeployTokenAuthenticator;
  readonly refreshTokens: RefreshTokens;
  readonly signer: RegistryTokenSigner;
  readonly clock: Clock;
  readonly jwtIds: IdGenerator;
  readonly audit: AuditTrail;
  readonly uses: DeployTokenUseRecorder;
  readonly throttle: LoginThrottle;
  readonly settings: RegistryTokenSettings;
  /** Minted (federated) credentials; absent: only deploy tokens are accepted. */
  readonly federated?: FederatedTokenCredentialsDeps;
  /** Credential modules tried before the built-in ones. */
  readonly credentialModules?: readonly CredentialModule[];
}

export class RegistryTokenIssuer {
  private readonly modules: readonly CredentialModule[];

  constructor(private readonly deps: RegistryTokenIssuerDeps) {
    this.modules = tokenCredentialModules({
      deployTokens: { authenticator: deps.authenticator, throttle: deps.throttle, uses: deps.uses, refreshTokens: deps.refreshTokens },
      ...(deps.federated === undefined ? {} : { federated: deps.federated }),
      ...(deps.credentialModules === undefined ? {} : { first: deps.credentialModules }),
    });
  }

  async issue(request: RegistryTokenRequest): Promise<IssuedRegistryToken> {
    const { settings } = this.deps;
    if (request.service !== null && request.service !== settings.service) {
      throw new UnknownServiceError(request.service);
    }
    const scopes = parseScopeParameters(request.scopeParameters);
    const principal = request.credentials === null ? null : await this.authenticate(request, request.credentials);
    const decision = decideAccess(scopes, principal?.rights ?? null, settings.publicRepositories);

    const issuedAt = this.deps.clock.now();
    const lifetimeSeconds = Math.min(
      principal?.tokenLifetimeSeconds ?? settings.lifetimeSeconds,
      principal?.tokenLifetimeLimitSeconds ?? Number.POSITIVE_INFINITY,
      settings.maxLifetimeSeconds,
    );
    const jwtId = this.deps.jwtIds.next();
    const claims = buildRegistryClaims({
      issuer: settings.issuer,
      service: settings.service,
      ...(principal === null ? {} : { subject: principal.username }),
      access: decision.granted,
      issuedAt,
      lifetimeSeconds,
      jwtId,
    });
    const token = await unavailableOnFailure('signing key', () => this.deps.signer.sign(claims));
    const refreshToken =
      principal?.issueRefreshToken !== undefined && request.offline === true
        ? await principal.issueRefreshToken(request.clientId ?? null)
        : undefined;

    // Durable by default: the token is answered only once its record is committed; a failed write is a 503.
    await this.deps.audit.recordDurably({
      occurredAt: issuedAt,
      event: 'token.issued',
      actor: principal?.username ?? null,
      deployTokenId: principal?.deployTokenId ?? null,
      username: principal?.username ?? null,
      clientIp: request.clientIp ?? null,
      details: {
        granted: decision.granted,
        refused: decision.refused,
        grant: request.credentials?.kind ?? 'anonymous',
        jti: jwtId,
        ...principal?.auditDetails,
        ...(refreshToken === undefined ? {} : { refreshTokenIssued: true }),
        ...(request.clientId ? { clientId: auditedClientId(request.clientId) } : {}),
      },
    });
    principal?.recordUse(issuedAt, request.clientIp ?? null);
    return {
      token,
      expiresIn: lifetimeSeconds,
      issuedAt,
      subject: principal?.username ?? null,
      decision,
      ...(refreshToken === undefined ? {} : { refreshToken }),
    };
  }

  private async authenticate(request: RegistryTokenRequest, credentials: TokenCredentials): Promise<TokenPrincipal> {
    try {
      return await this.verifyCredentials(request, credentials);
    } catch (error) {
      if (error instanceof RegauthError && error.code !== 'unavailable') {
        this.deps.audit.record({
          occurredAt: this.deps.clock.now(),
          event: 'auth.failed',
          actor: null,
          deployTokenId: null,
          username: auditedUsername(credentials.kind === 'password' ? credentials.username : request.account),
          clientIp: request.clientIp ?? null,
          details: { reason: error.code, grant: credentials.kind },
        });
      }
      throw error;
    }
  }

  /** The account a client claims must be the username it logs in with; which module judges the rest is chosen in one place. */
  private async verifyCredentials(request: RegistryTokenRequest, credentials: TokenCredentials): Promise<TokenPrincipal> {
    if (credentials.kind === 'password' && request.account !== null && request.account !== credentials.username) {
      throw new AccountMismatchError();
    }
    return credentialModuleFor(this.modules, credentials).authenticate(credentials, { clientIp: request.clientIp ?? '' });
  }
}
