import { REPLAY_MODES, type IssuerKind, type JsonWebKeySet, type ReplayMode } from '../../core/federation/trusted-issuer.js';
import { InvalidInputError } from '../errors.js';

export const DEFAULT_ALGORITHMS: readonly string[] = ['RS256'];
/** Asymmetric only: an HMAC algorithm would verify with the issuer's public key as the secret. */
export const ALLOWED_ALGORITHMS: readonly string[] = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];
export const DEFAULT_LEEWAY_SECONDS = 60;
export const MAX_LEEWAY_SECONDS = 300;
export const MAX_INLINE_JWKS_BYTES = 64 * 1024;
const MAX_TOKEN_AGE_SECONDS = 86_400;
const MAX_AUDIENCE_LENGTH = 512;
/** Members of a private JWK (RFC 7518 §6.2.2, §6.3.2, §6.4): a key set that has them was pasted by mistake. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

export function parseAlgorithms(algorithms: readonly string[] | undefined): string[] {
  if (algorithms === undefined) return [...DEFAULT_ALGORITHMS];
  if (algorithms.length === 0) throw new InvalidInputError('give at least one signature algorithm (RS256 by default)');
  for (const algorithm of algorithms) {
    if (!ALLOWED_ALGORITHMS.includes(algorithm)) {
      throw new InvalidInputError(`unsupported signature algorithm "${algorithm.slice(0, 20)}": use ${ALLOWED_ALGORITHMS.join(', ')}`);
    }
  }
  return [...new Set(algorithms)];
}

export function parseLeeway(seconds: number | undefined): number {
  if (seconds === undefined) return DEFAULT_LEEWAY_SECONDS;
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_LEEWAY_SECONDS) {
    throw new InvalidInputError(`leeway is a whole number of seconds from 0 to ${MAX_LEEWAY_SECONDS}`);
  }
  return seconds;
}

export function parseMaxTokenAge(seconds: number | null | undefined): number | null {
  if (seconds === undefined || seconds === null) return null;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_TOKEN_AGE_SECONDS) {
    throw new InvalidInputError(`a maximum token age is from 1 to ${MAX_TOKEN_AGE_SECONDS} seconds`);
  }
  return seconds;
}

/** `once` everywhere but Kubernetes, whose kubelet presents the same token again until 80 % of its life. */
export function parseReplayMode(mode: string | undefined, kind: IssuerKind): ReplayMode {
  if (mode === undefined) return kind === 'kubernetes' ? 'idempotent' : 'once';
  const known = REPLAY_MODES.find((candidate) => candidate === mode);
  if (known === undefined) throw new InvalidInputError(`unknown replay mode "${mode.slice(0, 20)}": use ${REPLAY_MODES.join(', ')}`);
  return known;
}

export function parseAudience(audience: string | undefined, defaultAudience: string): string {
  if (audience === undefined) return defaultAudience;
  const trimmed = audience.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_AUDIENCE_LENGTH) throw new InvalidInputError(`audience is 1 to ${MAX_AUDIENCE_LENGTH} characters`);
  return trimmed;
}

/** The realm's origin (`https://auth.example.com`): what a job asks its platform to put in `aud`. */
export function audienceOf(realm: string): string {
  return new URL(realm).origin;
}

/** An inline key set of public keys: a `keys` array whose members name their `kid` and `kty`, at most 64 KiB. */
export function parseInlineJwks(value: unknown): JsonWebKeySet {
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? null);
  if (Buffer.byteLength(text, 'utf8') > MAX_INLINE_JWKS_BYTES) throw new InvalidInputError(`the inline JWKS is larger than ${MAX_INLINE_JWKS_BYTES / 1024} KiB`);
  let parsed: unknown;
  try {
    parsed = typeof value === 'string' ? JSON.parse(value) : value;
  } catch {
    throw new InvalidInputError('the inline JWKS is not JSON: paste the output of kubectl get --raw /openid/v1/jwks');
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(keys) || keys.length === 0) {
    throw new InvalidInputError('the inline JWKS needs a non-empty "keys" array');
  }
  for (const key of keys) {
    if (typeof key !== 'object' || key === null || Array.isArray(key)) throw new InvalidInputError('each JWKS key is a JSON object');
    const record = key as Record<string, unknown>;
    if (typeof record.kid !== 'string' || record.kid === '' || typeof record.kty !== 'string' || record.kty === '') {
      throw new InvalidInputError('each JWKS key needs a "kid" and a "kty": tokens are matched to keys by kid');
    }
    const secret = PRIVATE_MEMBERS.find((member) => member in record);
    if (secret !== undefined) throw new InvalidInputError(`JWKS key "${record.kid.slice(0, 40)}" holds private material ("${secret}"): give public keys only`);
  }
  return { keys: keys as Record<string, unknown>[] };
}
