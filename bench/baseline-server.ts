/**
 * The bench's baseline: what any token service must do per request and nothing more. It parses the GET
 * token request as regauth does, grants every requested action, builds the same claims and signs them
 * with the same key (regauth's keys folder, through its KeyRing and signer), and answers the same JSON.
 * No authentication, no database, no request log. Express 5, configured like regauth's app.
 * Settings come from the same environment as regauth's (loadConfig), so port, path, issuer, service,
 * lifetime, keys folder and token header match.
 */
import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response } from 'express';
import { loadConfig } from '#regauth/adapters/config/load-config.js';
import { sendError, describeError } from '#regauth/adapters/http/error-responses.js';
import { tokenRequestFromQuery } from '#regauth/adapters/http/token-request-parsers.js';
import { JoseRegistryTokenSigner } from '#regauth/adapters/keys/jose-token-signer.js';
import { KeyRing } from '#regauth/adapters/keys/key-ring.js';
import type { Logger } from '#regauth/app/ports.js';
import { buildRegistryClaims } from '#regauth/core/registry-claims.js';
import { parseScopeParameters } from '#regauth/core/scope.js';

const silentLogger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

async function main(): Promise<void> {
  const config = loadConfig();
  const keyRing = await KeyRing.open(config.keys.dir, { now: () => new Date() }, silentLogger);
  const signer = new JoseRegistryTokenSigner(keyRing, config.keys.tokenHeader);

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.set('query parser', 'simple');
  app.get('/readyz', (_request, response) => {
    response.json({ status: 'ready' });
  });
  app.get(config.token.path, async (request: Request, response: Response) => {
    const parsed = tokenRequestFromQuery(request);
    if (parsed.service !== null && parsed.service !== config.token.service) {
      sendError(response, 'unknown_service', `unknown service "${parsed.service}"`);
      return;
    }
    const access = parseScopeParameters(parsed.scopeParameters).map(({ type, name, actions }) => ({ type, name, actions }));
    const issuedAt = new Date();
    const claims = buildRegistryClaims({
      issuer: config.token.issuer,
      service: config.token.service,
      ...(parsed.credentials?.kind === 'password' ? { subject: parsed.credentials.username } : {}),
      access,
      issuedAt,
      lifetimeSeconds: config.token.lifetimeSeconds,
      jwtId: randomUUID(),
    });
    const token = await signer.sign(claims);
    response.set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' });
    response.json({ token, access_token: token, expires_in: config.token.lifetimeSeconds, issued_at: issuedAt.toISOString() });
  });
  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    const { reason, message } = describeError(error);
    sendError(response, reason, message);
  });

  const server = app.listen(config.server.port, config.server.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => server.close(() => process.exit(0)));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`baseline server: cannot start: ${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
