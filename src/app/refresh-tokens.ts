import type { DeployToken } from '../core/deploy-token.js';
import { isWellFormedOpaqueToken, REFRESH_TOKEN_PREFIX } from '../core/opaque-token.js';
import { auditedClientId } from '../core/audited-username.js';
import { refreshTokenIdleExpiry } from '../core/refresh-token-expiry.js';
import { assertUsable } from './deploy-token-authenticator.js';
import { InvalidCredentialsError, InvalidRefreshTokenError } from './errors.js';
import type { Clock, OpaqueTokens, RefreshTokenStore } from './ports.js';
import { unavailableOnFailure } from './unavailable.js';

export interface RefreshTokensDeps {
  readonly store: RefreshTokenStore;
  readonly tokens: OpaqueTokens;
  readonly clock: Clock;
  /** A refresh token unused this long is refused. */
  readonly idleExpirySeconds: number;
}

/** Last-use times are written at most this often per refresh token: the hot path mostly only reads. */
const LAST_USE_RESOLUTION_MS = 60_000;

/**
 * Identity tokens for clients that ask for offline access. They are reusable (docker discards a rotated
 * one), survive restarts (only their digest is stored), and carry the deploy token's rights as they are
 * when used: revoking or expiring the deploy token ends them, and so does rotating its secret, since each
 * is bound to the secret generation it was minted from. One unused for `idleExpirySeconds` is refused.
 */
export class RefreshTokens {
  constructor(private readonly deps: RefreshTokensDeps) {}

  /** Throws InvalidCredentialsError when the secret the login verified was rotated meanwhile. */
  async issue(deployToken: DeployToken, clientId: string | null): Promise<string> {
    const token = this.deps.tokens.generate(REFRESH_TOKEN_PREFIX);
    const stored = await unavailableOnFailure('store', () =>
      this.deps.store.create({
        deployTokenId: deployToken.id,
        secretGeneration: deployToken.secretGeneration,
        tokenHash: this.deps.tokens.digest(token),
        // Only a label for operators; the client chose it: bounded, escaped, never a pasted secret.
        clientId: clientId === null || clientId === '' ? null : auditedClientId(clientId),
        createdAt: this.deps.clock.now(),
      }),
    );
    if (!stored) throw new InvalidCredentialsError('none');
    return token;
  }

  async authenticate(refreshToken: string): Promise<DeployToken> {
    if (!isWellFormedOpaqueToken(refreshToken, REFRESH_TOKEN_PREFIX)) throw new InvalidRefreshTokenError();
    const digest = this.deps.tokens.digest(refreshToken);
    const found = await unavailableOnFailure('store', () => this.deps.store.find(digest));
    if (found === null) throw new InvalidRefreshTokenError();
    const now = this.deps.clock.now();
    const { refreshToken: record, deployToken } = found;
    if (refreshTokenIdleExpiry(record, this.deps.idleExpirySeconds).getTime() <= now.getTime()) throw new InvalidRefreshTokenError();
    assertUsable(deployToken, now);
    const lastUse = record.lastUsedAt ?? record.createdAt;
    if (now.getTime() - lastUse.getTime() >= LAST_USE_RESOLUTION_MS) {
      await unavailableOnFailure('store', () => this.deps.store.markUsed(record.id, now));
    }
    return deployToken;
  }
}
