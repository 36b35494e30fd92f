/**
 * A test-only port of how distribution v3 (registry 3.1, registry/auth/token/accesscontroller.go and
 * token.go) trusts a token, for want of a registry 3 binary on Debian 12 (it has docker-registry 2.8.2 only).
 *
 * - TrustedKeys: the Go-style JWK thumbprint of each rootcertbundle certificate's key (GetJWKThumbprint:
 *   big-endian bytes WITHOUT leading zeros, so it differs from RFC 7638 for ~1/128 P-256 keys), plus every
 *   key of the `jwks` file under the `kid` the file gives it (go-jose refuses EC coordinates that are not
 *   full length).
 * - Key lookup: `x5c` first, verified against the bundle with validity dates and no fallback when it fails;
 *   else the header `jwk`, by its kid among TrustedKeys; else `kid` among TrustedKeys; else invalid.
 * - The header `alg` must be one of `signingalgorithms` (default: every algorithm go-jose knows), and the
 *   key must fit it (go-jose).
 * - Claims: `iss` equal to the issuer; `aud` a string or a list containing the service; `exp`/`nbf`
 *   integers (Go's int64), with 60 s leeway.
 * Registry 3.0.x hashed the curve generator for every P-256 bundle key (fixed in 3.1.0); not modelled,
 * since regauth's tokens are found through the JWKS file's kid.
 */
import { createHash, createPublicKey, X509Certificate, type JsonWebKey, type KeyObject } from 'node:crypto';
import { compactVerify, type JWK } from 'jose';

export const LEEWAY_SECONDS = 60;
const GO_JOSE_ALGORITHMS = ['EdDSA', 'HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512'];

export class TokenRejected extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'TokenRejected';
  }
}

export interface V3TokenConfig {
  readonly issuer: string;
  readonly service: string;
  /** The PEM text of the `rootcertbundle` file, if configured. */
  readonly rootCertBundle?: string;
  /** The parsed `jwks` file, if configured. */
  readonly jwks?: { keys: JWK[] };
  readonly signingAlgorithms?: readonly string[];
}

export interface V3AccessController {
  readonly trustedKeys: ReadonlyMap<string, KeyObject>;
  verify(rawToken: string, now: Date): Promise<{ claims: Record<string, unknown>; foundBy: 'x5c' | 'jwk' | 'kid' }>;
}

/** newAccessController: what the registry builds from its auth.token config at start. */
export function newV3AccessController(config: V3TokenConfig): V3AccessController {
  const roots = (config.rootCertBundle?.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
    (pem) => new X509Certificate(pem),
  );
  const jwks = config.jwks;
  if (roots.length === 0 && (jwks === undefined || jwks.keys.length === 0)) {
    throw new Error('token auth requires at least one token signing key');
  }
  const trustedKeys = new Map<string, KeyObject>();
  for (const root of roots) trustedKeys.set(goJwkThumbprint(root.publicKey), root.publicKey);
  for (const jwk of jwks?.keys ?? []) {
    trustedKeys.set(jwk.kid ?? '', goJoseKey(jwk));
  }
  for (const algorithm of config.signingAlgorithms ?? []) {
    if (!GO_JOSE_ALGORITHMS.includes(algorithm)) throw new Error(`unsupported signing algorithm: ${algorithm}`);
  }
  const algorithms = config.signingAlgorithms?.length ? config.signingAlgorithms : GO_JOSE_ALGORITHMS;

  return {
    trustedKeys,
    async verify(rawToken, now) {
      const header = parseHeader(rawToken);
      if (typeof header.alg !== 'string' || !algorithms.includes(header.alg)) throw new TokenRejected('malformed token');
      const { key, foundBy } = signingKeyOf(header, roots, trustedKeys, now);
      let payload: Uint8Array;
      try {
        ({ payload } = await compactVerify(rawToken, key, { algorithms: [header.alg] }));
      } catch (error) {
        throw new TokenRejected(`signature: ${(error as Error).message}`);
      }
      const claims = JSON.parse(Buffer.from(payload).toString('utf8')) as Record<string, unknown>;
      checkClaims(claims, config, now);
      return { claims, foundBy };
    },
  };
}

interface Header {
  alg?: unknown;
  kid?: unknown;
  jwk?: JWK;
  x5c?: unknown;
}

function parseHeader(rawToken: string): Header {
  const parts = rawToken.split('.');
  if (parts.length !== 3) throw new TokenRejected('malformed token');
  try {
    return JSON.parse(Buffer.from(parts[0] as string, 'base64url').toString('utf8')) as Header;
  } catch {
    throw new TokenRejected('malformed token');
  }
}

/** Token.VerifySigningKey. */
function signingKeyOf(
  header: Header,
  roots: readonly X509Certificate[],
  trustedKeys: ReadonlyMap<string, KeyObject>,
  now: Date,
): { key: KeyObject; foundBy: 'x5c' | 'jwk' | 'kid' } {
  if (Array.isArray(header.x5c) && header.x5c.length > 0) {
    return { key: verifyCertChain(header.x5c as string[], roots, now), foundBy: 'x5c' };
  }
  if (header.jwk !== undefined) {
    const key = trustedKeys.get(header.jwk.kid ?? '');
    if (key === undefined) throw new TokenRejected('untrusted JWK with no certificate chain');
    return { key, foundBy: 'jwk' };
  }
  if (typeof header.kid === 'string' && header.kid !== '') {
    const key = trustedKeys.get(header.kid);
    if (key === undefined) throw new TokenRejected(`token signed by untrusted key with ID: "${header.kid}"`);
    return { key, foundBy: 'kid' };
  }
  throw new TokenRejected('invalid token');
}

/** header.Certificates → x509 Verify with the bundle as roots: the leaf must chain to a root, every certificate in date. */
function verifyCertChain(x5c: readonly string[], roots: readonly X509Certificate[], now: Date): KeyObject {
  const [leaf, ...intermediates] = x5c.map((der) => new X509Certificate(Buffer.from(der, 'base64')));
  if (leaf === undefined) throw new TokenRejected('x509: empty chain');
  const inDate = (certificate: X509Certificate) =>
    new Date(certificate.validFrom).getTime() <= now.getTime() && now.getTime() <= new Date(certificate.validTo).getTime();
  const chain: X509Certificate[] = [leaf];
  for (let current = leaf; ; ) {
    if (roots.some((root) => root.raw.equals(current.raw))) break;
    const issuer = [...intermediates, ...roots].find((candidate) => current.checkIssued(candidate) && current.verify(candidate.publicKey));
    if (issuer === undefined || chain.length > 10) throw new TokenRejected('x509: certificate signed by unknown authority');
    chain.push(issuer);
    current = issuer;
    if (roots.includes(issuer)) break;
  }
  if (!chain.every(inDate)) throw new TokenRejected('x509: certificate has expired or is not yet valid');
  return leaf.publicKey;
}

function checkClaims(claims: Record<string, unknown>, config: V3TokenConfig, now: Date): void {
  for (const claim of ['exp', 'nbf', 'iat']) {
    const value = claims[claim];
    if (value !== undefined && !Number.isInteger(value)) throw new TokenRejected(`json: cannot unmarshal ${claim} into int64`);
  }
  if (claims.iss !== config.issuer) throw new TokenRejected(`token from untrusted issuer: "${String(claims.iss)}"`);
  const audiences = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
  if (!audiences.includes(config.service)) throw new TokenRejected('token intended for another audience');
  const seconds = now.getTime() / 1000;
  if (seconds > ((claims.exp as number | undefined) ?? 0) + LEEWAY_SECONDS) throw new TokenRejected('token not to be used after exp');
  if (seconds < ((claims.nbf as number | undefined) ?? 0) - LEEWAY_SECONDS) throw new TokenRejected('token not to be used before nbf');
}

/** GetJWKThumbprint as distribution writes it: Go's big.Int.Bytes() drops leading zero bytes. */
export function goJwkThumbprint(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  const minimal = (value: string | undefined) => {
    const bytes = Buffer.from(value ?? '', 'base64url');
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start += 1;
    return bytes.subarray(start).toString('base64url');
  };
  const text =
    jwk.kty === 'RSA'
      ? `{"e":"${minimal(jwk.e)}","kty":"RSA","n":"${minimal(jwk.n)}"}`
      : `{"crv":"${jwk.crv}","kty":"EC","x":"${minimal(jwk.x)}","y":"${minimal(jwk.y)}"}`;
  return createHash('sha256').update(text).digest('base64url');
}

/** The key go-jose's JSONWebKey.UnmarshalJSON reads; it refuses EC coordinates shorter than the curve size. */
function goJoseKey(jwk: JWK): KeyObject {
  if (jwk.kty === 'EC') {
    const size = { 'P-256': 32, 'P-384': 48, 'P-521': 66 }[jwk.crv as string];
    if (Buffer.from(jwk.x ?? '', 'base64url').length !== size || Buffer.from(jwk.y ?? '', 'base64url').length !== size) {
      throw new Error('go-jose/go-jose: invalid EC public key, wrong length for x/y');
    }
  }
  const { kid: _kid, alg: _alg, use: _use, ...members } = jwk;
  return createPublicKey({ key: members as JsonWebKey, format: 'jwk' });
}
