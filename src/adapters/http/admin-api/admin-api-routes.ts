import type { z } from 'zod';
import type { Actor, DeployTokenAdmin } from '../../../app/deploy-token-admin.js';
import {
  auditEventsQuery,
  auditPageSchema,
  createDeployTokenBody,
  createdDeployTokenSchema,
  deployTokenPageSchema,
  deployTokenSchema,
  extendDeployTokenBody,
  listDeployTokensQuery,
  patternTestBody,
  patternTestSchema,
  refreshTokenListSchema,
  refreshTokenSchema,
  updateDeployTokenBody,
} from './admin-api-schemas.js';


export interface AdminRequest {
  readonly reference: string;
  /** Every path parameter, as sent. */
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly query: unknown;
  readonly body: unknown;
  readonly actor: Actor;
}

/** One operation of the admin API, on the use cases `Admin`; the router and the OpenAPI document are both made from these tables. */
export interface AdminRoute<Admin = DeployTokenAdmin> {
  readonly method: 'get' | 'post' | 'patch';
  /** Relative to /api/v1, in express syntax. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  readonly status: 200 | 201;
  readonly response: z.ZodType;
  /** Error statuses beyond those every operation may answer. */
  readonly errors?: readonly ('409' | '413')[];
  handle(admin: Admin, request: AdminRequest): Promise<unknown>;
}

type Query<T extends z.ZodType> = z.infer<T>;

export const ADMIN_ROUTES: readonly AdminRoute[] = [
  {
    method: 'get',
    path: '/deploy-tokens',
    operationId: 'listDeployTokens',
    summary: 'Search deploy tokens: filters, a sort (oldest first by default) and a page, with the total',
    query: listDeployTokensQuery,
    status: 200,
    response: deployTokenPageSchema,
    handle: (admin, { query }) => {
      const { repository, covers, ...rest } = query as Query<typeof listDeployTokensQuery>;
      return admin.list({ ...rest, covers: covers ?? repository });
    },
  },
  {
    method: 'post',
    path: '/deploy-tokens',
    operationId: 'createDeployToken',
    summary: 'Create a deploy token; its secret is in this response only',
    body: createDeployTokenBody,
    status: 201,
    errors: ['409', '413'],
    response: createdDeployTokenSchema,
    handle: (admin, { body, actor }) => admin.create(body as z.infer<typeof createDeployTokenBody>, actor),
  },
  {
    method: 'get',
    path: '/deploy-tokens/:reference',
    operationId: 'getDeployToken',
    summary: 'Get a deploy token by id or username',
    status: 200,
    response: deployTokenSchema,
    handle: (admin, { reference }) => admin.get(reference),
  },
  {
    method: 'patch',
    path: '/deploy-tokens/:reference',
    operationId: 'updateDeployToken',
    summary: 'Change the name, repositories, scopes, expiry or token lifetime of a deploy token',
    body: updateDeployTokenBody,
    status: 200,
    errors: ['413'],
    response: deployTokenSchema,
    handle: (admin, { reference, body, actor }) =>
      admin.update(reference, body as z.infer<typeof updateDeployTokenBody>, actor),
  },
  {
    method: 'post',
    path: '/deploy-tokens/:reference/extend',
    operationId: 'extendDeployToken',
    summary: 'Give a deploy token a later expiry (or none) without changing its secret; a date in the past is refused',
    body: extendDeployTokenBody,
    status: 200,
    response: deployTokenSchema,
    handle: (admin, { reference, body, actor }) => admin.extend(reference, body as z.infer<typeof extendDeployTokenBody>, actor),
  },
  {
    method: 'post',
    path: '/patterns/test',
    operationId: 'testPatterns',
    summary: 'Which example repositories a set of repository patterns covers, and by which pattern; nothing is stored',
    body: patternTestBody,
    status: 200,
    response: patternTestSchema,
    handle: (admin, { body }) => admin.testPatterns(body as z.infer<typeof patternTestBody>),
  },
  {
    method: 'post',
    path: '/deploy-tokens/:reference/revoke',
    operationId: 'revokeDeployToken',
    summary: 'Revoke a deploy token: it and its refresh tokens stop working at once',
    status: 200,
    response: deployTokenSchema,
    handle: (admin, { reference, actor }) => admin.revoke(reference, actor),
  },
  {
    method: 'post',
    path: '/deploy-tokens/:reference/rotate',
    operationId: 'rotateDeployToken',
    summary: 'Give a deploy token a new secret; the old secret and its refresh tokens stop working',
    status: 200,
    response: createdDeployTokenSchema,
    handle: (admin, { reference, actor }) => admin.rotate(reference, actor),
  },
  {
    method: 'get',
    path: '/deploy-tokens/:reference/refresh-tokens',
    operationId: 'listRefreshTokens',
    summary: 'The refresh tokens (docker login sessions) of a deploy token that still work, oldest first',
    status: 200,
    response: refreshTokenListSchema,
    handle: async (admin, { reference }) => ({ items: await admin.listRefreshTokens(reference) }),
  },
  {
    method: 'post',
    path: '/deploy-tokens/:reference/refresh-tokens/:refreshTokenId/revoke',
    operationId: 'revokeRefreshToken',
    summary: 'End one refresh token at once; the deploy token and its other refresh tokens keep working',
    status: 200,
    response: refreshTokenSchema,
    handle: (admin, { reference, params, actor }) => admin.revokeRefreshToken(reference, params.refreshTokenId ?? '', actor),
  },
  {
    method: 'get',
    path: '/audit-events',
    operationId: 'listAuditEvents',
    summary: 'Audit events, newest first, a page at a time',
    query: auditEventsQuery,
    status: 200,
    response: auditPageSchema,
    handle: (admin, { query }) => admin.audit(query as Query<typeof auditEventsQuery>),
  },
];
