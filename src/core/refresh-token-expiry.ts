/** When a refresh token stops working if it is not used again: `idleSeconds` after its last use (or creation). */
export function refreshTokenIdleExpiry(token: { readonly createdAt: Date; readonly lastUsedAt: Date | null }, idleSeconds: number): Date {
  const lastUse = token.lastUsedAt ?? token.createdAt;
  return new Date(lastUse.getTime() + idleSeconds * 1000);
}
