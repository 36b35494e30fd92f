import { Ajv } from 'ajv';
import request from 'supertest';
import { DOCUMENTED_ROUTES, openApiPath } from '../../../src/adapters/http/admin-api/openapi.js';
import { trustPolicy, verifiedToken } from '../../support/federation-fixtures.js';
import { checkOpenApiDocument } from '../../support/openapi-validator.js';
import { createTestRegauth, type TestRegauth } from '../../support/regauth-app.js';
import { API, bearer } from './admin-api-support.js';

type JsonObject = Record<string, unknown>;
interface Operation {
  operationId: string;
  responses: Record<string, { content?: { 'application/json'?: { schema: JsonObject } } }>;
  requestBody?: { content: { 'application/json': { schema: JsonObject } } };
  parameters?: { name: string; in: string }[];
}
type Document = { openapi: string; paths: Record<string, Record<string, Operation>>; components: { schemas: JsonObject } };

interface RouterLayer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: RouterLayer[] };
}

/** Every `METHOD path` the express app really serves under /api/v1, read from the mounted router's stack. */
function servedAdminRoutes(app: TestRegauth['regauth']['app']): string[] {
  // The service port's listener answers GET /token itself and hands everything else to the express app behind it.
  const stack = (app as unknown as { behind: { router: { stack: RouterLayer[] } } }).behind.router.stack;
  const routers = stack.filter((layer) => layer.handle?.stack?.some((inner) => inner.route?.path === '/openapi.json'));
  expect(routers).toHaveLength(1);
  return (routers[0]?.handle?.stack ?? [])
    .filter((layer) => layer.route !== undefined)
    .flatMap((layer) => Object.keys(layer.route?.methods ?? {}).map((method) => `${method.toUpperCase()} ${layer.route?.path}`));
}

const operationsOf = (document: Document) =>
  Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ key: `${method.toUpperCase()} ${path}`, method, path, operation })),
  );

async function dereference(document: Document): Promise<Document> {
  const checked = await checkOpenApiDocument(document);
  if (!checked.valid) throw new Error(checked.error);
  return checked.dereferenced as Document;
}

describe('the OpenAPI document of the admin API', () => {
  let service: TestRegauth;
  let key: string;
  let document: Document;

  beforeAll(async () => {
    service = await createTestRegauth();
    key = (await service.regauth.adminKeys.create('test')).key;
    const response = await request(service.regauth.app).get(`${API}/openapi.json`).expect(200);
    document = response.body as Document;
  }, 60_000);

  afterAll(async () => {
    await service?.close();
  });

  test('is served as JSON without an admin key, and with a wrong one', async () => {
    const response = await request(service.regauth.app).get(`${API}/openapi.json`).expect(200);
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.body).toEqual(document);
    await request(service.regauth.app).get(`${API}/openapi.json`).set('Authorization', 'Bearer wrong').expect(200);
  });

  test('is a valid OpenAPI 3.0 document', async () => {
    expect(document.openapi).toMatch(/^3\.0\.\d+$/);
    expect(await checkOpenApiDocument(document)).toMatchObject({ valid: true });
  });

  test('a broken document is refused by the same validator (the check can fail)', async () => {
    const broken = structuredClone(document) as JsonObject & { paths: JsonObject };
    (broken.paths['/deploy-tokens'] as JsonObject).get = { operationId: 'x' };
    expect(await checkOpenApiDocument(broken)).toEqual({ valid: false, error: expect.any(String) });
  });

  test('documents exactly the operations the router serves (the document itself aside)', () => {
    const served = servedAdminRoutes(service.regauth.app);
    expect(served).toContain('GET /openapi.json');
    const servedOperations = served.filter((route) => route !== 'GET /openapi.json').map((route) => {
      const [method, path] = route.split(' ') as [string, string];
      return `${method} ${openApiPath(path)}`;
    });
    const documented = operationsOf(document).map(({ key: operation }) => operation);
    expect(new Set(servedOperations).size).toBe(servedOperations.length);
    expect([...documented].sort()).toEqual([...servedOperations].sort());
    expect(documented).toHaveLength(DOCUMENTED_ROUTES.length);
  });

  test('every operation documents 400, 401 and 503 with the error schema, and a unique operationId', () => {
    const ids = operationsOf(document).map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { key: name, operation } of operationsOf(document)) {
      for (const status of ['400', '401', '503']) {
        expect([name, status, operation.responses[status]?.content?.['application/json']?.schema]).toEqual([
          name,
          status,
          { $ref: '#/components/schemas/Error' },
        ]);
      }
    }
    expect(document).toMatchObject({
      security: [{ adminKey: [] }],
      components: { securitySchemes: { adminKey: { type: 'http', scheme: 'bearer' } } },
    });
  });

  test('every operation with a path parameter declares it', () => {
    for (const { path, operation } of operationsOf(document)) {
      const inPath = [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]);
      const declared = (operation.parameters ?? []).filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name);
      expect(declared).toEqual(inPath);
    }
  });

  test("each documented operation answers on the server with its documented success status, in its documented response schema", async () => {
    const ajv = new Ajv({ strict: false });
    const dereferenced = await dereference(document);
    const created = await service.regauth.admin.create({ name: 'probe', username: 'probe', repositories: ['team/app'], scopes: ['read_registry'] });
    await request(service.regauth.app)
      .post('/token')
      .type('form')
      .send({ grant_type: 'password', access_type: 'offline', client_id: 'docker', username: 'probe', password: created.secret, service: 'registry' })
      .expect(200);
    const [refreshToken] = await service.regauth.admin.listRefreshTokens('probe');
    const minted = await service.regauth.federation?.credentials.mint({ verified: verifiedToken({ jwtId: 'probe' }), policy: trustPolicy(), claims: {} });
    const bodies: Record<string, unknown> = {
      createDeployToken: { name: 'another', repositories: ['team/app'], scopes: ['read_registry'] },
      updateDeployToken: { name: 'probed' },
      extendDeployToken: { expires: null },
      testPatterns: { patterns: ['team/**'], repositories: ['team/app', 'other/app'] },
      createTrustedIssuer: { name: 'another-issuer', kind: 'generic', issuerUrl: 'https://issuer.example.com' },
      updateTrustedIssuer: { leewaySeconds: 30 },
      createTrustPolicy: { name: 'another-policy', issuer: 'probe-issuer', github: { ownerId: '42' }, repositories: ['team/app'], scopes: ['read_registry'] },
      updateTrustPolicy: { enabled: false },
    };
    await service.regauth.federationAdmin.issuers.create({ name: 'probe-issuer', kind: 'github', issuerUrl: 'https://token.actions.githubusercontent.com' });
    await service.regauth.federationAdmin.policies.create({
      name: 'probe-policy',
      issuer: 'probe-issuer',
      github: { ownerId: '42', repository: 'team/app' },
      repositories: ['team/app'],
      scopes: ['read_registry'],
    });
    // Rotate and revoke last: a rotation ends the probe's refresh token, and the order keeps the probe readable.
    const last = ['rotateDeployToken', 'revokeDeployToken', 'revokeFederatedCredential'];
    const rank = (operationId: string) => last.indexOf(operationId);
    const operations = operationsOf(dereferenced).sort((a, b) => rank(a.operation.operationId) - rank(b.operation.operationId));
    expect(operations).toHaveLength(DOCUMENTED_ROUTES.length);
    for (const { key: name, method, path, operation } of operations) {
      const url = `${API}${path
        .replace('{reference}', created.token.username)
        .replace('{refreshTokenId}', String(refreshToken?.id))
        .replace('{credential}', String(minted?.username))
        .replace('{issuer}', 'probe-issuer')
        .replace('{policy}', 'probe-policy')}`;
      let pending = request(service.regauth.app)[method as 'get' | 'post' | 'patch'](url).set('Authorization', bearer(key));
      const body = bodies[operation.operationId];
      if (body !== undefined) pending = pending.send(body as object);
      const response = await pending;

      const successes = Object.keys(operation.responses).filter((status) => status.startsWith('2'));
      expect([name, response.status]).toEqual([name, Number(successes[0])]);
      expect(successes).toHaveLength(1);
      const schema = operation.responses[successes[0] as string]?.content?.['application/json']?.schema as JsonObject;
      const valid = ajv.validate(schema, response.body);
      expect([name, valid, ajv.errors ?? null]).toEqual([name, true, null]);
      if (operation.requestBody !== undefined) {
        expect([name, ajv.validate(operation.requestBody.content['application/json'].schema, body)]).toEqual([name, true]);
      }
    }
  });

  test('the documented response schemas refuse what the API never sends (the check can fail)', async () => {
    const ajv = new Ajv({ strict: false });
    const dereferenced = await dereference(document);
    const get = dereferenced.paths['/deploy-tokens/{reference}']?.get as Operation;
    const schema = get.responses['200']?.content?.['application/json']?.schema as JsonObject;
    const view = (await service.regauth.admin.get('probe')) as unknown as JsonObject;
    expect(ajv.validate(schema, view)).toBe(true);
    expect(ajv.validate(schema, { ...view, secretHash: '$2b$04$x' })).toBe(false);
    expect(ajv.validate(schema, { ...view, scopes: ['admin'] })).toBe(false);
  });
});
