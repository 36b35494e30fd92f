import type { DeployToken } from '../core/deploy-token.js';
import { isWellFormedOpaqueToken, REFRESH_TOKEN_PREFIX } from '../core/opaque-token.js';
import { assertUsable } from './deploy-token-authenticator.js';
import { InvalidRefreshTokenError } from './errors.js';
import type { Clock, OpaqueTokens, RefreshTokenStore } from './ports.js';
import { unavailableOnFailure } from './unavailable.js';

export interface RefreshTokensDeps {
  readonly store: RefreshTokenStore;
  readonly tokens: OpaqueTokens;
  readonly clock: Clock;
}

/**
 * Identity tokens for clients that ask for offline access. They are reusable (docker discards a rotated
 * one), survive restarts (only their digest is stored), and carry the deploy token's rights as they are
 * when used: revoking, expiring or rotating the deploy token ends them.
 */
export class RefreshTokens {
  constructor(private readonly deps: RefreshTokensDeps) {}

  async issue(deployToken: DeployToken, clientId: string | null): Promise<string> {
    const token = this.deps.tokens.generate(REFRESH_TOKEN_PREFIX);
    await unavailableOnFailure('store', () =>
      this.deps.store.create({
        deployTokenId: deployToken.id,
        tokenHash: this.deps.tokens.digest(token),
        // Only a label for operators; the client chose it, so no control characters (PostgreSQL refuses NUL).
        clientId: clientId?.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 64) || null,
        createdAt: this.deps.clock.now(),
      }),
    );
    return token;
  }

  async authenticate(refreshToken: string): Promise<DeployToken> {
    if (!isWellFormedOpaqueToken(refreshToken, REFRESH_TOKEN_PREFIX)) throw new InvalidRefreshTokenError();
    const digest = this.deps.tokens.digest(refreshToken);
    const deployToken = await unavailableOnFailure('store', () => this.deps.store.findDeployToken(digest));
    if (deployToken === null) throw new InvalidRefreshTokenError();
    assertUsable(deployToken, this.deps.clock.now());
    return deployToken;
  }
}
