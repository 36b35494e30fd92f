import { decideAccess, type AccessDecision } from '../core/access-policy.js';
import { auditedClientId, auditedUsername } from '../core/audited-username.js';
import { rightsOf, type DeployToken } from '../core/deploy-token.js';
import { RegauthError } from '../core/regauth-error.js';
import { buildRegistryClaims } from '../core/registry-claims.js';
import { parseScopeParameters } from '../core/scope.js';
import type { AuditTrail } from './audit-trail.js';
import type { DeployTokenAuthenticator } from './deploy-token-authenticator.js';
import type { DeployTokenUseRecorder } from './deploy-token-use-recorder.js';
import { AccountMismatchError, InvalidCredentialsError, OverloadedError, UnknownServiceError } from './errors.js';
import type { Clock, IdGenerator, LoginAllowance, LoginAttempt, LoginThrottle, RegistryTokenSigner } from './ports.js';
import type { RefreshTokens } from './refresh-tokens.js';
import { unavailableOnFailure } from './unavailable.js';

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

export type TokenCredentials =
  | { readonly kind: 'password'; readonly username: string; readonly secret: string }
  | { readonly kind: 'refresh_token'; readonly refreshToken: string };

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
  /** Only when the client asked for offline access with a deploy token's secret. */
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
}

export class RegistryTokenIssuer {
  constructor(private readonly deps: RegistryTokenIssuerDeps) {}

  async issue(request: RegistryTokenRequest): Promise<IssuedRegistryToken> {
    const { settings } = this.deps;
    if (request.service !== null && request.service !== settings.service) {
      throw new UnknownServiceError(request.service);
    }
    const scopes = parseScopeParameters(request.scopeParameters);
    const deployToken = request.credentials === null ? null : await this.authenticate(request, request.credentials);
    const decision = decideAccess(scopes, deployToken === null ? null : rightsOf(deployToken), settings.publicRepositories);

    const issuedAt = this.deps.clock.now();
    const lifetimeSeconds = Math.min(deployToken?.tokenLifetimeSeconds ?? settings.lifetimeSeconds, settings.maxLifetimeSeconds);
    const jwtId = this.deps.jwtIds.next();
    const claims = buildRegistryClaims({
      issuer: settings.issuer,
      service: settings.service,
      ...(deployToken === null ? {} : { subject: deployToken.username }),
      access: decision.granted,
      issuedAt,
      lifetimeSeconds,
      jwtId,
    });
    const token = await unavailableOnFailure('signing key', () => this.deps.signer.sign(claims));
    const refreshToken =
      deployToken !== null && request.offline === true && request.credentials?.kind === 'password'
        ? await this.deps.refreshTokens.issue(deployToken, request.clientId ?? null)
        : undefined;

    // Durable by default: the token is answered only once its record is committed; a failed write is a 503.
    await this.deps.audit.recordDurably({
      occurredAt: issuedAt,
      event: 'token.issued',
      actor: deployToken?.username ?? null,
      deployTokenId: deployToken?.id ?? null,
      username: deployToken?.username ?? null,
      clientIp: request.clientIp ?? null,
      details: {
        granted: decision.granted,
        refused: decision.refused,
        grant: request.credentials?.kind ?? 'anonymous',
        jti: jwtId,
        ...(refreshToken === undefined ? {} : { refreshTokenIssued: true }),
        ...(request.clientId ? { clientId: auditedClientId(request.clientId) } : {}),
      },
    });
    if (deployToken !== null) this.deps.uses.record(deployToken, issuedAt, request.clientIp ?? null);
    return {
      token,
      expiresIn: lifetimeSeconds,
      issuedAt,
      subject: deployToken?.username ?? null,
      decision,
      ...(refreshToken === undefined ? {} : { refreshToken }),
    };
  }

  private async authenticate(request: RegistryTokenRequest, credentials: TokenCredentials): Promise<DeployToken> {
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

  /**
   * A refresh token is a 256-bit random value looked up by its digest: it costs no hash and cannot be guessed,
   * so the brute-force protection neither counts nor refuses it.
   */
  private async verifyCredentials(request: RegistryTokenRequest, credentials: TokenCredentials): Promise<DeployToken> {
    if (credentials.kind === 'refresh_token') return this.deps.refreshTokens.authenticate(credentials.refreshToken);
    if (request.account !== null && request.account !== credentials.username) throw new AccountMismatchError();
    return this.verifySecret(credentials.username, credentials.secret, request.clientIp ?? '');
  }

  private async verifySecret(username: string, secret: string, clientIp: string): Promise<DeployToken> {
    const { throttle } = this.deps;
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
      const deployToken = await this.deps.authenticator.authenticate(username, secret, beforeChecking);
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
}
