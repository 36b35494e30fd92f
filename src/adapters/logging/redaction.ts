import { redactSecrets } from '../../core/secret-text.js';

const SENSITIVE_KEY = /^(authorization|proxy-authorization|cookie|set-cookie|password|secret|secret_?hash|client_?secret|token|access_?token|refresh_?token|identity_?token)$/i;
const REDACTED = '[REDACTED]';
const TOO_DEEP = '[TOO DEEP TO LOG]';
const MAX_DEPTH = 8;

/** Masks credentials in a log record: values under sensitive keys, and secrets embedded in any string. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value);
  if (value === null || typeof value !== 'object') return value;
  // Past the limit nothing is walked, so nothing may pass on unchecked either.
  if (depth > MAX_DEPTH) return TOO_DEEP;
  if (value instanceof Date) return value;
  if (value instanceof Error) return { name: value.name, message: redactSecrets(value.message) };
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const output: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    output[key] = SENSITIVE_KEY.test(key) ? REDACTED : redact(item, depth + 1);
  }
  return output;
}
