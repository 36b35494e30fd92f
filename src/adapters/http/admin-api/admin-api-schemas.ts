import { z } from 'zod';
import { AUDIT_EVENT_TYPES } from '../../../app/ports.js';
import { REGISTRY_SCOPES } from '../../../core/deploy-token.js';
import { DEPLOY_TOKEN_SORT_FIELDS } from '../../../core/deploy-token-sort.js';

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

const days = z.coerce.number().int().min(1).max(36_500).optional();

export const listDeployTokensQuery = z
  .object({
    search: z.string().max(255).optional().describe('Text in the name, the username or a repository pattern (any case)'),
    status: z.enum(['active', 'expired', 'revoked']).optional(),
    scope: z.enum(REGISTRY_SCOPES).optional().describe('Only tokens with this scope'),
    expiringWithinDays: days.describe('Only tokens not yet expired that expire within this many days'),
    unusedForDays: days.describe('Only tokens not used for this many days; a token never used counts once it is that old'),
    revokedWithinDays: days.describe('Only tokens revoked within the last this many days'),
    covers: z.string().max(255).optional().describe('Only tokens whose patterns cover this repository'),
    repository: z.string().max(255).optional().describe('The same as covers (kept for older clients)'),
    sort: z
      .string()
      .max(40)
      .optional()
      .describe(`${DEPLOY_TOKEN_SORT_FIELDS.join(', ')}, optionally followed by :asc or :desc (default created:asc)`),
    offset: z.coerce.number().int().min(0).max(1_000_000_000).optional().describe('How many matching tokens to skip (default 0)'),
    limit,
    after: cursor.describe('`next` of the previous page: only tokens created after that one'),
  })
  .strict();

export const extendDeployTokenBody = z
  .object({
    expires: z
      .string()
      .max(64)
      .nullable()
      .describe('The new expiry, later than the current one: a duration from now (90d) or a date (2027-01-31); null: never expires'),
  })
  .strict();

const patternList = z.array(z.string().max(255)).max(100);

export const patternTestBody = z
  .object({
    patterns: patternList.describe('Repository patterns, as a deploy token would have them'),
    repositories: patternList.describe('Example repository names to test them on'),
  })
  .strict();

export const patternTestSchema = z
  .object({
    items: z.array(
      z
        .object({
          repository: z.string(),
          covered: z.boolean(),
          pattern: z.string().nullable().describe('The first of the patterns that covers it'),
        })
        .strict(),
    ),
    summary: z.string().describe('In words: covers team/app and team/app/cache, not team/application'),
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
    secretIssuedAt: timestamp.describe('When its current secret was issued: at creation or at the last rotation'),
    secretIssuedBy: z.string().nullable().describe('Who issued its current secret (the audit actor)'),
  })
  .strict();

export const deployTokenPageSchema = z
  .object({
    items: z.array(deployTokenSchema),
    total: z.number().int().describe('How many tokens match in all'),
    offset: z.number().int(),
    next: z.number().int().nullable().describe('Pass as `after` for the next page in creation order; null on the last page'),
  })
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

const credentialFormatsSchema = z
  .object({
    dockerLogin: z.string().describe('docker login command, the secret on stdin'),
    podmanLogin: z.string().describe('podman login command, the secret on stdin'),
    dockerConfigJson: z.string().describe('~/.docker/config.json content'),
    kubernetesSecret: z.string().describe('A kubernetes.io/dockerconfigjson Secret manifest (YAML)'),
    imagePullSecrets: z.string().describe('The pod spec lines that use that Secret'),
    githubActions: z.string().describe('Repository secrets to set and the docker/login-action step'),
    gitlabCi: z.string().describe('GitLab CI/CD variables, DOCKER_AUTH_CONFIG included'),
  })
  .strict()
  .describe('The secret in the forms clients take it, for registry.host; the same text as the CLI and the web UI');

export const createdDeployTokenSchema = z
  .object({
    token: deployTokenSchema,
    secret: z.string().describe('Shown once; only its hash is stored'),
    credentials: credentialFormatsSchema,
  })
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
