import { z } from 'zod';
import { AUDIT_EVENT_TYPES } from '../../../app/ports.js';
import { REGISTRY_SCOPES } from '../../../core/deploy-token.js';

// Only shapes are checked here; the use cases judge the values, with the same messages as the CLI's.
const repositories = z
  .array(z.string().max(255))
  .max(100)
  .describe('Repository patterns: team/app (and everything under it), team/*, team/**, or * for all');
const scopes = z.array(z.string().max(64)).max(10).describe(`What the token may do at the registry: ${REGISTRY_SCOPES.join(', ')}`);
const expires = z.string().max(64).describe('A duration from now (30m, 12h, 90d, 2w, 1y) or a date (2027-01-31)');
const tokenLifetime = z.string().max(16).describe('Lifetime of its registry tokens: seconds or 15m, 2h');

export const createDeployTokenBody = z
  .object({
    name: z.string().max(255),
    repositories,
    scopes,
    username: z.string().max(64).optional(),
    expires: expires.optional(),
    tokenLifetime: tokenLifetime.optional(),
  })
  .strict();

export const updateDeployTokenBody = z
  .object({
    name: z.string().max(255).optional(),
    repositories: repositories.optional(),
    scopes: scopes.optional(),
    expires: expires.nullable().optional().describe('null: never expires'),
    tokenLifetime: tokenLifetime.nullable().optional().describe("null: the service's default"),
  })
  .strict();

const limit = z.coerce.number().int().min(1).max(1_000).optional().describe('Items per page (default 100)');
const cursor = z.coerce.number().int().min(1).optional();

export const listDeployTokensQuery = z
  .object({
    status: z.enum(['active', 'expired', 'revoked']).optional(),
    repository: z.string().max(255).optional().describe('Only tokens that cover this repository'),
    limit,
    after: cursor.describe('`next` of the previous page'),
  })
  .strict();

export const auditEventsQuery = z
  .object({
    event: z.enum(AUDIT_EVENT_TYPES).optional(),
    token: z.string().max(64).optional().describe('Id or username of a deploy token'),
    actor: z.string().max(200).optional().describe('Only events whose actor contains this text, in any case (alice, via ui, cli)'),
    since: z.string().max(64).optional().describe('A duration back from now (24h, 7d) or a date'),
    until: z.string().max(64).optional().describe('Only events before this: a duration back from now or a date'),
    limit,
    before: cursor.describe('`next` of the previous page (events come newest first)'),
  })
  .strict();

const timestamp = z.string().describe('RFC 3339 time');

export const deployTokenSchema = z
  .object({
    id: z.number().int(),
    name: z.string(),
    username: z.string(),
    repositories: z.array(z.string()),
    scopes: z.array(z.enum(REGISTRY_SCOPES)),
    status: z.enum(['active', 'expired', 'revoked']),
    expiresAt: timestamp.nullable(),
    revokedAt: timestamp.nullable(),
    createdAt: timestamp,
    lastUsedAt: timestamp.nullable(),
    lastUsedIp: z.string().nullable(),
    tokenLifetimeSeconds: z.number().int().nullable(),
    updatedAt: timestamp.nullable(),
  })
  .strict();

export const deployTokenPageSchema = z
  .object({ items: z.array(deployTokenSchema), next: z.number().int().nullable() })
  .strict();

export const refreshTokenSchema = z
  .object({
    id: z.number().int(),
    tokenId: z.number().int().describe('The deploy token it belongs to'),
    clientId: z.string().nullable().describe('What the client called itself at login (docker, containerd-client…)'),
    createdAt: timestamp,
    lastUsedAt: timestamp.nullable().describe('Recorded to the minute'),
    idleExpiresAt: timestamp.describe('When it stops working unless used again (token.refreshTokenIdleDays after its last use)'),
  })
  .strict();

export const refreshTokenListSchema = z.object({ items: z.array(refreshTokenSchema) }).strict();

export const createdDeployTokenSchema = z
  .object({ token: deployTokenSchema, secret: z.string().describe('Shown once; only its hash is stored') })
  .strict();

export const auditEventSchema = z
  .object({
    id: z.number().int(),
    occurredAt: timestamp,
    event: z.enum(AUDIT_EVENT_TYPES),
    actor: z.string().nullable(),
    tokenId: z.number().int().nullable(),
    username: z.string().nullable(),
    clientIp: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .strict();

export const auditPageSchema = z.object({ items: z.array(auditEventSchema), next: z.number().int().nullable() }).strict();

export const errorSchema = z
  .object({
    error: z
      .object({ code: z.string().describe('Stable machine-readable code'), message: z.string() })
      .strict(),
  })
  .strict();
