import type { TrustPolicy } from '../../core/federation/trust-policy.js';
import { FEDERATED_REFRESH_TOKEN_PREFIX } from '../../core/federation/federated-password.js';
import type { AuditTrail } from '../audit-trail.js';
import type { Clock, OpaqueTokens } from '../ports.js';
import { unavailableOnFailure } from '../unavailable.js';
import { IdentityTokenError } from './federation-errors.js';
import type {
  ClaimsSnapshot,
  FederatedCredential,
  FederatedCredentialStore,
  FederatedPasswords,
  IdentityTokenUse,
  NewFederatedCredential,
  VerifiedIdentityToken,
} from './federation-ports.js';
import { federatedCredentialStatus } from './federated-credential-view.js';

/** No minted credential lives longer, whatever its policy says. */
export const MAX_FEDERATED_CREDENTIAL_LIFETIME_SECONDS = 3_600;
/** Nor shorter: a registry token lasts at least a minute, and a credential should outlive one. */
const MIN_FEDERATED_CREDENTIAL_LIFETIME_SECONDS = 60;

export interface MintRequest {
  readonly verified: VerifiedIdentityToken;
  readonly policy: TrustPolicy;
  /** The non-secret claims to keep, from claimsSnapshot(). */
  readonly claims: ClaimsSnapshot;
  /** Also bind a refresh token to the credential (docker login with the JWT as its password). */
  readonly offline?: boolean;
  readonly clientIp?: string | null;
}

export interface MintedCredential {
  readonly credential: FederatedCredential;
  readonly username: string;
  readonly password: string;
  readonly expiresAt: Date;
  readonly refreshToken?: string;
}

export interface FederatedCredentialsDeps {
  readonly store: FederatedCredentialStore;
  readonly passwords: FederatedPasswords;
  /** Makes and digests the refresh tokens bound to minted credentials. */
  readonly tokens: OpaqueTokens;
  readonly clock: Clock;
  readonly audit: AuditTrail;
}

/**
 * Mints short-lived registry credentials from verified identity tokens, with replay protection in the same
 * transaction as the insert. `once`: the first presentation of an (issuer, jti) wins, any other is refused.
 * `idempotent` (a kubelet presents one service-account token until 80 % of its life): the same token again
 * gets the same credential back, with the same password (derived from the token), while it is valid; once it
 * has expired the token gets a new one; a revoked one stays revoked; another token with a used jti is refused.
 */
export class FederatedCredentials {
  constructor(private readonly deps: FederatedCredentialsDeps) {}

  async mint(request: MintRequest): Promise<MintedCredential> {
    const { verified } = request;
    const now = this.deps.clock.now();
    const use: IdentityTokenUse = {
      issuerId: verified.issuer.id,
      jwtId: verified.jwtId,
      tokenDigest: verified.tokenDigest,
      // Until the token itself is refused: a window shorter than the leeway lets a replay through.
      expiresAt: new Date(verified.expiresAt.getTime() + verified.issuer.leewaySeconds * 1000),
    };
    const refreshToken = request.offline === true ? this.deps.tokens.generate(FEDERATED_REFRESH_TOKEN_PREFIX) : undefined;
    const refreshTokenDigest = refreshToken === undefined ? null : this.deps.tokens.digest(refreshToken);
    const fields = (passwordDigest: string): NewFederatedCredential => ({
      passwordDigest,
      refreshTokenDigest,
      policyId: request.policy.id,
      issuerId: verified.issuer.id,
      repositories: request.policy.repositories,
      scopes: request.policy.scopes,
      claims: request.claims,
      subject: verified.subject,
      jwtId: verified.jwtId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + credentialLifetimeSeconds(request.policy) * 1000),
    });

    const minted =
      verified.issuer.replayMode === 'once'
        ? await this.mintOnce(use, fields)
        : await this.mintIdempotent(use, fields, refreshTokenDigest, now);
    await this.deps.audit.recordDurably({
      occurredAt: now,
      event: 'federated_credential.minted',
      actor: minted.credential.username,
      deployTokenId: null,
      username: minted.credential.username,
      clientIp: request.clientIp ?? null,
      details: {
        federatedCredentialId: minted.credential.id,
        issuerId: verified.issuer.id,
        issuer: verified.issuer.name,
        policyId: request.policy.id,
        policy: request.policy.name,
        subject: verified.subject,
        jti: verified.jwtId,
        claims: request.claims,
        repositories: minted.credential.repositories,
        scopes: minted.credential.scopes,
        expiresAt: minted.credential.expiresAt.toISOString(),
        replayMode: verified.issuer.replayMode,
        ...(minted.reused ? { reused: true } : {}),
        ...(refreshToken === undefined ? {} : { refreshTokenIssued: true }),
      },
    });
    return {
      credential: minted.credential,
      username: minted.credential.username,
      password: minted.password,
      expiresAt: minted.credential.expiresAt,
      ...(refreshToken === undefined ? {} : { refreshToken }),
    };
  }

  private async mintOnce(use: IdentityTokenUse, fields: (passwordDigest: string) => NewFederatedCredential): Promise<Minted> {
    const password = this.deps.passwords.random();
    const passwordDigest = await unavailableOnFailure('store', () => this.deps.passwords.digest(password));
    const outcome = await unavailableOnFailure('store', () => this.deps.store.mintOnce(use, fields(passwordDigest)));
    if (outcome.outcome === 'replayed') throw replayed(use, 'once', 'jti already used');
    return { credential: outcome.credential, password, reused: false };
  }

  private async mintIdempotent(
    use: IdentityTokenUse,
    fields: (passwordDigest: string) => NewFederatedCredential,
    refreshTokenDigest: string | null,
    now: Date,
  ): Promise<Minted> {
    const { passwords, store } = this.deps;
    const passwordOf = (mint: number) => passwords.derived({ issuerId: use.issuerId, jwtId: use.jwtId, tokenDigest: use.tokenDigest, mint });
    const outcome = await unavailableOnFailure('store', () =>
      store.mintIdempotent(
        use,
        async (mint) => fields(await passwords.digest(await passwordOf(mint))),
        (existing) => federatedCredentialStatus(existing, now) === 'expired',
      ),
    );
    if (outcome.outcome === 'replayed') throw replayed(use, 'idempotent', 'jti already used by another token');
    const password = await unavailableOnFailure('store', () => passwordOf(outcome.mint));
    if (outcome.outcome === 'minted') return { credential: outcome.credential, password, reused: false };
    if (outcome.credential.revokedAt !== null) throw replayed(use, 'idempotent', 'its credential was revoked');
    if (refreshTokenDigest !== null) {
      await unavailableOnFailure('store', () => store.setRefreshTokenDigest(outcome.credential.id, refreshTokenDigest));
    }
    return { credential: outcome.credential, password, reused: true };
  }
}

interface Minted {
  readonly credential: FederatedCredential;
  readonly password: string;
  /** The same token's earlier credential, handed back again (idempotent mode). */
  readonly reused: boolean;
}

export function credentialLifetimeSeconds(policy: Pick<TrustPolicy, 'credentialLifetimeSeconds'>): number {
  return Math.max(MIN_FEDERATED_CREDENTIAL_LIFETIME_SECONDS, Math.min(policy.credentialLifetimeSeconds, MAX_FEDERATED_CREDENTIAL_LIFETIME_SECONDS));
}

function replayed(use: IdentityTokenUse, replayMode: string, reason: string): IdentityTokenError {
  return new IdentityTokenError('identity_token_replayed', { issuerId: use.issuerId, jti: use.jwtId, replayMode, reason });
}
