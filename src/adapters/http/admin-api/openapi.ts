import { z } from 'zod';
import { ADMIN_API_PREFIX_PATH } from './admin-api-paths.js';
import { errorSchema } from './admin-api-schemas.js';
import { ADMIN_ROUTES, type AdminRoute } from './admin-api-routes.js';
import { FEDERATED_CREDENTIAL_ROUTES } from './federated-credential-routes.js';
import { FEDERATION_ADMIN_ROUTES } from './federation-admin-routes.js';

type JsonObject = Record<string, unknown>;

const ERROR_RESPONSES: Readonly<Record<string, string>> = {
  '400': 'Invalid input (code invalid_input or a more specific invalid_* code)',
  '401': 'Missing, unknown or revoked admin key (invalid_admin_key)',
  '404': 'No such deploy token, refresh token, minted credential, trusted issuer or trust policy (not_found)',
  '415': 'The body is not application/json (unsupported_media_type)',
  '503': 'The database is unavailable (unavailable) or secret hashing is saturated (overloaded); retry later',
};

const OPTIONAL_ERROR_RESPONSES: Readonly<Record<string, string>> = {
  '409': 'The username, or the name or issuer URL, is taken (username_taken, name_taken)',
  '413': 'The body is larger than 64 kB (payload_too_large)',
};

/** Every route the admin API serves, in the order documented. */
export const DOCUMENTED_ROUTES: readonly AdminRoute<never>[] = [...ADMIN_ROUTES, ...FEDERATED_CREDENTIAL_ROUTES, ...FEDERATION_ADMIN_ROUTES];

const PATH_PARAMETERS: Readonly<Record<string, JsonObject>> = {
  reference: { description: 'Id or username of the deploy token', schema: { type: 'string' } },
  issuer: { description: 'Id or name of the trusted issuer', schema: { type: 'string' } },
  policy: { description: 'Id or name of the trust policy', schema: { type: 'string' } },
  refreshTokenId: { description: 'Id of the refresh token, from listRefreshTokens', schema: { type: 'integer', minimum: 1 } },
  credential: { description: 'Id or username (oidc-<id>) of the minted credential', schema: { type: 'string' } },
};

/** OpenAPI 3.0 description of the admin API, made from the same route table and schemas as the router. */
export function openApiDocument(): JsonObject {
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const route of DOCUMENTED_ROUTES) {
    const path = openApiPath(route.path);
    paths[path] = { ...paths[path], [route.method]: operation(route) };
  }
  return {
    openapi: '3.0.3',
    info: {
      title: 'regauth admin API',
      version: '1',
      description:
        'Deploy tokens, minted credentials and the audit log of a regauth token service. Authenticate with an admin key from `regauth admin-keys create`.',
    },
    servers: [{ url: ADMIN_API_PREFIX_PATH }],
    security: [{ adminKey: [] }],
    paths,
    components: {
      securitySchemes: { adminKey: { type: 'http', scheme: 'bearer', description: 'An admin key: regauth_admin_…' } },
      schemas: { Error: toSchema(errorSchema) },
    },
  };
}

/** `/deploy-tokens/:reference` → `/deploy-tokens/{reference}` */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z]+)/g, '{$1}');
}

function operation(route: AdminRoute<never>): JsonObject {
  const parameters: JsonObject[] = [];
  for (const match of route.path.matchAll(/:([A-Za-z]+)/g)) {
    const name = match[1] as string;
    parameters.push({ name, in: 'path', required: true, ...PATH_PARAMETERS[name] });
  }
  if (route.query !== undefined) {
    const schema = toSchema(route.query) as { properties?: Record<string, JsonObject>; required?: string[] };
    for (const [name, property] of Object.entries(schema.properties ?? {})) {
      const { description, ...propertySchema } = property;
      parameters.push({
        name,
        in: 'query',
        required: schema.required?.includes(name) ?? false,
        ...(description === undefined ? {} : { description }),
        schema: propertySchema,
      });
    }
  }
  const documented = { ...ERROR_RESPONSES, ...Object.fromEntries((route.errors ?? []).map((status) => [status, OPTIONAL_ERROR_RESPONSES[status]])) };
  const errors = Object.fromEntries(
    Object.entries(documented).map(([status, description]) => [
      status,
      { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    ]),
  );
  return {
    operationId: route.operationId,
    summary: route.summary,
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(route.body === undefined
      ? {}
      : { requestBody: { required: true, content: { 'application/json': { schema: toSchema(route.body) } } } }),
    responses: {
      [String(route.status)]: { description: 'OK', content: { 'application/json': { schema: toSchema(route.response) } } },
      ...errors,
    },
  };
}

function toSchema(schema: z.ZodType): JsonObject {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input' }) as JsonObject;
  return rest;
}
