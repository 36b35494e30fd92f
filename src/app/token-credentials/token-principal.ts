import type { AccessRights } from '../../core/access-policy.js';

/** Credentials a token request brings: a username and password, or a refresh token. */
export type TokenCredentials =
  | { readonly kind: 'password'; readonly username: string; readonly secret: string }
  | { readonly kind: 'refresh_token'; readonly refreshToken: string };

/**
 * Who a token is granted to, whatever kind of credential proved it: what the token may carry, how long it
 * lives, what its audit record says, and whose use to record.
 */
export interface TokenPrincipal {
  /** The token's `sub` and the audit record's actor. */
  readonly username: string;
  readonly rights: AccessRights;
  /** Lifetime of its registry tokens; null means the service's default. */
  readonly tokenLifetimeSeconds: number | null;
  /** No token for it lives longer (a credential that ends soon); absent: no limit of its own. */
  readonly tokenLifetimeLimitSeconds?: number;
  /** The audit record's deploy-token id, when a deploy token is behind it. */
  readonly deployTokenId: number | null;
  /** Added to the `token.issued` record's details. */
  readonly auditDetails: Readonly<Record<string, unknown>>;
  recordUse(at: Date, clientIp: string | null): void;
  /** Present when a client asking for offline access may be given a refresh token for it. */
  readonly issueRefreshToken?: (clientId: string | null) => Promise<string>;
}

/** What a credential module is told of the request, beyond the credentials. */
export interface CredentialContext {
  readonly clientIp: string;
}

/** One kind of credential the token endpoint accepts. */
export interface CredentialModule {
  /** For stack traces and tests. */
  readonly name: string;
  /** Whether these credentials are this module's to judge: on their shape alone, with no I/O. */
  accepts(credentials: TokenCredentials): boolean;
  /** The principal, or throws a RegauthError (invalid credentials, expired, revoked, unavailable…). */
  authenticate(credentials: TokenCredentials, context: CredentialContext): Promise<TokenPrincipal>;
}
