const SENSITIVE_KEY = /^(authorization|proxy-authorization|cookie|set-cookie|password|secret|secret_?hash|token|access_?token|refresh_?token|identity_?token)$/i;
const SECRET_PATTERNS: readonly [RegExp, string][] = [
  [/\b(Basic|Bearer)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [REDACTED]'],
  // Deploy-token secrets, refresh tokens (regauth_rt_…) and admin keys (regauth_admin_…), base64url included.
  [/\bregauth_[0-9A-Za-z_-]+/g, 'regauth_[REDACTED]'],
  [/((?:password|refresh_token)=)[^&\s]+/gi, '$1[REDACTED]'],
];
/**
 * A run of base64url and dots from `eyJ`, masked when it holds the dots of a JWT. The run is taken whole and
 * judged afterwards: a pattern that asked for the dots itself rescanned the rest of a dotless run from each
 * `eyJ` in it, quadratic in a client's request path.
 */
const JWT_LIKE_RUN = /\beyJ[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)*/g;
const REDACTED = '[REDACTED]';
const TOO_DEEP = '[TOO DEEP TO LOG]';
const MAX_DEPTH = 8;

/** Masks credentials in a log record: values under sensitive keys, and secrets embedded in any string. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactString(value);
  if (value === null || typeof value !== 'object') return value;
  // Past the limit nothing is walked, so nothing may pass on unchecked either.
  if (depth > MAX_DEPTH) return TOO_DEEP;
  if (value instanceof Date) return value;
  if (value instanceof Error) return { name: value.name, message: redactString(value.message) };
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const output: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    output[key] = SENSITIVE_KEY.test(key) ? REDACTED : redact(item, depth + 1);
  }
  return output;
}

/** Matches every string some SECRET_PATTERNS entry could change: most strings need no replacement pass. */
const MAY_HOLD_SECRET = /basic|bearer|regauth_|eyJ|password=|refresh_token=/i;

function redactString(text: string): string {
  if (!MAY_HOLD_SECRET.test(text)) return text;
  const masked = SECRET_PATTERNS.reduce((current, [pattern, replacement]) => current.replace(pattern, replacement), text);
  return masked.replace(JWT_LIKE_RUN, (run) => (run.split('.').length >= 3 ? '[REDACTED JWT]' : run));
}
