import type { Response } from 'supertest';
import type { z } from 'zod';
import { ADMIN_ROUTES, type AdminRoute } from '../../../src/adapters/http/admin-api/admin-api-routes.js';
import { errorSchema } from '../../../src/adapters/http/admin-api/admin-api-schemas.js';

export const API = '/api/v1';
export const ADMIN_KEY_SHAPE = /^regauth_admin_[A-Za-z0-9_-]{43}$/;
export const SECRET_SHAPE = /^regauth_[0-9A-Za-z]{38}$/;
export const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export const bearer = (key: string) => `Bearer ${key}`;
export const basic = (username: string, secret: string) => `Basic ${Buffer.from(`${username}:${secret}`).toString('base64')}`;

/** The route of the table with this operationId. */
export function routeOf(operationId: string): AdminRoute {
  const route = ADMIN_ROUTES.find((candidate) => candidate.operationId === operationId);
  if (route === undefined) throw new Error(`no admin route ${operationId}`);
  return route;
}

/** Parses a success body with the route's own response schema, so a body that strays from it fails. */
export function bodyOf<T = unknown>(operationId: string, response: Response): T {
  const route = routeOf(operationId);
  expect(response.status).toBe(route.status);
  return (route.response as z.ZodType<T>).parse(response.body);
}

/** Checks an error answer: the status, the `{"error": {"code", "message"}}` shape and the code. */
export function expectAdminError(response: Response, status: number, code: string, message?: string | RegExp): void {
  expect({ status: response.status, code: (response.body as { error?: { code?: string } })?.error?.code }).toEqual({ status, code });
  const body = errorSchema.parse(response.body);
  expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
  if (typeof message === 'string') expect(body.error.message).toBe(message);
  else if (message !== undefined) expect(body.error.message).toMatch(message);
}

/** A concrete URL for a route: `:reference` filled in. */
export function urlOf(route: AdminRoute, reference = '1'): string {
  return `${API}${route.path.replace(':reference', encodeURIComponent(reference)).replace(':refreshTokenId', '1')}`;
}
