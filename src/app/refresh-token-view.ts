import { refreshTokenIdleExpiry } from '../core/refresh-token-expiry.js';
import type { RefreshTokenRecord } from './ports.js';

/** A refresh token (a `docker login` session) as shown to operators; the token itself is never stored. */
export interface RefreshTokenView {
  readonly id: number;
  readonly tokenId: number;
  /** What the client called itself (`docker`, `containerd-client`…), at most 64 characters. */
  readonly clientId: string | null;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  /** When it stops working unless it is used again. */
  readonly idleExpiresAt: string;
}

export function refreshTokenViewOf(token: RefreshTokenRecord, idleSeconds: number): RefreshTokenView {
  return {
    id: token.id,
    tokenId: token.deployTokenId,
    clientId: token.clientId,
    createdAt: token.createdAt.toISOString(),
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    idleExpiresAt: refreshTokenIdleExpiry(token, idleSeconds).toISOString(),
  };
}
