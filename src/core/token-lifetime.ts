import { RegauthError } from './regauth-error.js';
import { MIN_TOKEN_LIFETIME_SECONDS } from './registry-claims.js';

const LIFETIME = /^([1-9][0-9]{0,5})(s|m|h)?$/;
const SECONDS_PER_UNIT: Record<string, number> = { s: 1, m: 60, h: 3600 };

export class TokenLifetimeError extends RegauthError {
  readonly code = 'invalid_token_lifetime';

  constructor(text: string, reason: string) {
    super(`invalid token lifetime "${text}": ${reason}`);
    this.name = 'TokenLifetimeError';
  }
}

/**
 * Reads the lifetime of the registry tokens a deploy token gets: seconds (`900`) or a duration (`900s`,
 * `15m`, `2h`), from 60 seconds up to the service's maximum.
 */
export function parseTokenLifetime(text: string, maxSeconds: number): number {
  const match = LIFETIME.exec(text.trim());
  if (!match) throw new TokenLifetimeError(text, 'use seconds or a duration such as 900s, 15m or 2h');
  const seconds = Number(match[1]) * (SECONDS_PER_UNIT[match[2] ?? 's'] as number);
  if (seconds < MIN_TOKEN_LIFETIME_SECONDS || seconds > maxSeconds) {
    throw new TokenLifetimeError(text, `it must be between ${MIN_TOKEN_LIFETIME_SECONDS} and ${maxSeconds} seconds`);
  }
  return seconds;
}
