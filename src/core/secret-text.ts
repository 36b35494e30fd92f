/**
 * How regauth recognises a credential in free text: one list, so the log and the audit trail agree on
 * what a secret looks like.
 */
const SECRET_PATTERNS: readonly (readonly [RegExp, string])[] = [
  [/\b(Basic|Bearer)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [REDACTED]'],
  // Deploy-token secrets, refresh tokens (regauth_rt_…), admin keys (regauth_admin_…), minted credentials'
  // passwords (regauth_fed_…) and their refresh tokens (regauth_fedrt_…), base64url included.
  [/\bregauth_[0-9A-Za-z_-]+/g, 'regauth_[REDACTED]'],
  // Not \b: after a `-` each `eyJ` of `eyJ-eyJ-…` would start a scan to the end of the run, quadratic in its length.
  // Every further dot-separated part (a JWE has five) is masked with the rest.
  [/(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*){2,}/g, '[REDACTED JWT]'],
  [/((?:password|refresh_token)=)[^&\s]+/gi, '$1[REDACTED]'],
];

/** Matches every string some SECRET_PATTERNS entry could change: most strings need no replacement pass. */
const MAY_HOLD_SECRET = /basic|bearer|regauth_|eyJ|password=|refresh_token=/i;

/** `text` with every credential in it masked; the text around them stays. */
export function redactSecrets(text: string): string {
  if (!MAY_HOLD_SECRET.test(text)) return text;
  return SECRET_PATTERNS.reduce((current, [pattern, replacement]) => current.replace(pattern, replacement), text);
}

/** True when `text` holds something `redactSecrets` would mask: a secret, token, key or credential header. */
export function looksLikeSecret(text: string): boolean {
  return redactSecrets(text) !== text;
}
