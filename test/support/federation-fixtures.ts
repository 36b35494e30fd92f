import { createHash } from 'node:crypto';
import type { VerifiedIdentityToken } from '../../src/app/federation/federation-ports.js';
import type { TrustPolicy } from '../../src/core/federation/trust-policy.js';
import type { ReplayMode, TrustedIssuer } from '../../src/core/federation/trusted-issuer.js';

export const FIXTURE_T0 = new Date('2026-11-23T10:00:00.000Z');

export function trustedIssuer(overrides: Partial<TrustedIssuer> = {}): TrustedIssuer {
  return {
    id: 7,
    name: 'github',
    kind: 'github',
    issuerUrl: 'https://token.actions.githubusercontent.com',
    audience: 'https://registry.example.test',
    keySource: { kind: 'discovery' },
    algorithms: ['RS256'],
    leewaySeconds: 60,
    maxTokenAgeSeconds: null,
    replayMode: 'once',
    multiTenant: true,
    enabled: true,
    createdAt: FIXTURE_T0,
    updatedAt: null,
    ...overrides,
  };
}

export function trustPolicy(overrides: Partial<TrustPolicy> = {}): TrustPolicy {
  return {
    id: 3,
    name: 'octo-org app pushes',
    issuerId: 7,
    conditions: [{ claim: 'repository_owner_id', operator: 'eq', values: ['1234'] }],
    repositories: ['octo-org/app'],
    scopes: ['write_registry'],
    credentialLifetimeSeconds: 900,
    allowForkTriggers: false,
    expiresAt: null,
    enabled: true,
    createdAt: FIXTURE_T0,
    updatedAt: null,
    lastUsedAt: null,
    ...overrides,
  };
}

/** A verified token as the verifier would hand it over; `token` stands for the compact JWT it digests. */
export function verifiedToken(
  options: { jwtId?: string; token?: string; replayMode?: ReplayMode; issuerId?: number; expiresAt?: Date; claims?: Record<string, unknown> } = {},
): VerifiedIdentityToken {
  const token = options.token ?? `token-of-${options.jwtId ?? 'jti-1'}`;
  return {
    issuer: trustedIssuer({ replayMode: options.replayMode ?? 'once', id: options.issuerId ?? 7 }),
    claims: options.claims ?? { repository: 'octo-org/app', repository_owner_id: '1234', sub: 'repo:octo-org/app:ref:refs/heads/main' },
    subject: 'repo:octo-org/app:ref:refs/heads/main',
    jwtId: options.jwtId ?? 'jti-1',
    issuedAt: FIXTURE_T0,
    expiresAt: options.expiresAt ?? new Date(FIXTURE_T0.getTime() + 300_000),
    tokenDigest: createHash('sha256').update(token).digest('hex'),
  };
}
