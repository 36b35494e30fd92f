import { z } from 'zod';
import { REGISTRY_SCOPES } from '../../../core/deploy-token.js';
import { CONDITION_OPERATORS } from '../../../core/federation/trust-policy.js';
import { ISSUER_KINDS, REPLAY_MODES } from '../../../core/federation/trusted-issuer.js';

// Shapes only, as for deploy tokens: the use cases judge the values, with the CLI's messages.
const name = z.string().max(64);
const jwks = z
  .object({ keys: z.array(z.record(z.string(), z.unknown())).max(100) })
  .describe('An inline JWKS of public keys (kubectl get --raw /openid/v1/jwks), at most 64 KiB');

const issuerFields = {
  issuerUrl: z.string().max(2048).describe('The exact `iss` of its tokens: https, no query or fragment'),
  audience: z.string().max(512).describe("The one `aud` its tokens must carry; default the realm's origin"),
  jwksUri: z.string().max(2048).describe('Fetch keys here instead of through OIDC discovery'),
  jwks,
  algorithms: z.array(z.string().max(16)).max(10).describe('Signature algorithms accepted (default RS256)'),
  leewaySeconds: z.number().int().describe('Clock skew allowed, 0–300 (default 60)'),
  maxTokenAgeSeconds: z.number().int().nullable().describe('Refuse tokens issued longer ago than this'),
  replayMode: z.enum(REPLAY_MODES).describe('once (default), or idempotent (default for kubernetes)'),
  multiTenant: z.boolean().describe('Anyone can register names on it: policies must pin an owner ID (always true for github and gitlab.com)'),
  enabled: z.boolean(),
};

export const createTrustedIssuerBody = z
  .object({
    name,
    kind: z.enum(ISSUER_KINDS),
    issuerUrl: issuerFields.issuerUrl,
    audience: issuerFields.audience.optional(),
    jwksUri: issuerFields.jwksUri.optional(),
    jwks: jwks.optional(),
    algorithms: issuerFields.algorithms.optional(),
    leewaySeconds: issuerFields.leewaySeconds.optional(),
    maxTokenAgeSeconds: issuerFields.maxTokenAgeSeconds.optional(),
    replayMode: issuerFields.replayMode.optional(),
    multiTenant: issuerFields.multiTenant.optional(),
    enabled: issuerFields.enabled.optional(),
  })
  .strict();

export const updateTrustedIssuerBody = z
  .object({
    name: name.optional(),
    issuerUrl: issuerFields.issuerUrl.optional(),
    audience: issuerFields.audience.optional(),
    discovery: z.literal(true).optional().describe('Go back to OIDC discovery for keys'),
    jwksUri: issuerFields.jwksUri.optional(),
    jwks: jwks.optional(),
    algorithms: issuerFields.algorithms.optional(),
    leewaySeconds: issuerFields.leewaySeconds.optional(),
    maxTokenAgeSeconds: issuerFields.maxTokenAgeSeconds.optional(),
    replayMode: issuerFields.replayMode.optional(),
    multiTenant: issuerFields.multiTenant.optional(),
    enabled: issuerFields.enabled.optional(),
  })
  .strict();

const timestamp = z.string().describe('RFC 3339 time');

export const trustedIssuerSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    kind: z.enum(ISSUER_KINDS),
    issuerUrl: z.string(),
    audience: z.string(),
    keySource: z.union([
      z.object({ kind: z.literal('discovery') }).strict(),
      z.object({ kind: z.literal('jwks_uri'), uri: z.string() }).strict(),
      z.object({ kind: z.literal('inline'), jwks }).strict(),
    ]),
    algorithms: z.array(z.string()),
    leewaySeconds: z.number().int(),
    maxTokenAgeSeconds: z.number().int().nullable(),
    replayMode: z.enum(REPLAY_MODES),
    multiTenant: z.boolean(),
    enabled: z.boolean(),
    createdAt: timestamp,
    updatedAt: timestamp.nullable(),
  })
  .strict();

export const trustedIssuerListSchema = z.object({ items: z.array(trustedIssuerSchema) }).strict();

const condition = z
  .object({
    claim: z.string().max(256).describe('A claim name, or keys joined by / (kubernetes.io/namespace)'),
    operator: z.enum(CONDITION_OPERATORS),
    values: z.array(z.string().max(512)).max(64).describe('eq: one value; in, glob: any may match (a * never crosses / or :)'),
  })
  .strict();

const presets = {
  github: z
    .object({
      ownerId: z.string().max(20).optional(),
      repository: z.string().max(255).optional(),
      workflow: z.string().max(255).optional().describe('File name under .github/workflows, e.g. deploy.yml'),
      environment: z.string().max(255).optional(),
      ref: z.string().max(255).optional(),
    })
    .strict(),
  gitlab: z
    .object({
      namespaceId: z.string().max(20).optional(),
      project: z.string().max(255).optional(),
      ref: z.string().max(255).optional(),
      protectedRef: z.boolean().optional(),
    })
    .strict(),
  kubernetes: z
    .object({ namespace: z.string().max(255).optional(), serviceAccount: z.string().max(255).optional(), uid: z.string().max(255).optional() })
    .strict(),
};

const repositories = z.array(z.string().max(255)).max(100).describe('Repository patterns granted, as for deploy tokens');
const scopes = z.array(z.string().max(64)).max(10).describe(`Scopes granted: ${REGISTRY_SCOPES.join(', ')}`);
const credentialLifetime = z.string().max(16).describe('Life of a minted credential: seconds or 15m, 1h (default 15m, at most 1h)');

export const createTrustPolicyBody = z
  .object({
    name,
    issuer: z.string().max(64).describe('Id or name of the trusted issuer'),
    conditions: z.array(condition).max(32).optional(),
    ...Object.fromEntries(Object.entries(presets).map(([key, schema]) => [key, schema.optional()])),
    repositories,
    scopes,
    credentialLifetime: credentialLifetime.optional(),
    allowForkTriggers: z.boolean().optional().describe('Let GitHub pull_request_target and workflow_run tokens in'),
    expires: z.string().max(64).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();

export const updateTrustPolicyBody = z
  .object({
    name: name.optional(),
    conditions: z.array(condition).max(32).optional().describe('Replaces every condition (with any presets given)'),
    ...Object.fromEntries(Object.entries(presets).map(([key, schema]) => [key, schema.optional()])),
    repositories: repositories.optional(),
    scopes: scopes.optional(),
    credentialLifetime: credentialLifetime.optional(),
    allowForkTriggers: z.boolean().optional(),
    expires: z.string().max(64).nullable().optional().describe('null: never expires'),
    enabled: z.boolean().optional(),
  })
  .strict();

export const trustPolicySchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    issuerId: z.number().int(),
    conditions: z.array(condition),
    repositories: z.array(z.string()),
    scopes: z.array(z.enum(REGISTRY_SCOPES)),
    credentialLifetimeSeconds: z.number().int(),
    allowForkTriggers: z.boolean(),
    expiresAt: timestamp.nullable(),
    enabled: z.boolean(),
    createdAt: timestamp,
    updatedAt: timestamp.nullable(),
    lastUsedAt: timestamp.nullable(),
  })
  .strict();

export const trustPolicyListSchema = z.object({ items: z.array(trustPolicySchema) }).strict();

export const listTrustPoliciesQuery = z.object({ issuer: z.string().max(64).optional().describe('Only the policies of this issuer (id or name)') }).strict();
