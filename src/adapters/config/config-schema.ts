import { z } from 'zod';
import { MIN_TOKEN_LIFETIME_SECONDS } from '../../core/registry-claims.js';
import { parseRepositoryPattern } from '../../core/repository-pattern.js';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = (max: number) => z.coerce.number().int().min(1).max(max);
const nullableText = z.string().min(1).nullable();
const lifetime = z.coerce.number().int().min(MIN_TOKEN_LIFETIME_SECONDS).max(86_400);

/** A list in YAML, or comma-separated in an environment variable. */
const repositoryPatterns = z.preprocess(
  (value) => (typeof value === 'string' ? value.split(',').map((item) => item.trim()).filter((item) => item !== '') : value),
  z.array(
    z.string().refine(
      (pattern) => {
        try {
          parseRepositoryPattern(pattern);
          return true;
        } catch {
          return false;
        }
      },
      { message: 'not a repository pattern (team/app, team/**, team/*-prod or *)' },
    ),
  ),
);

/** An HTTPS listener needs both files; neither means plain HTTP (behind a TLS-terminating proxy). */
const tlsFiles = z
  .object({ certFile: nullableText, keyFile: nullableText })
  .strict()
  .superRefine((tls, context) => {
    if ((tls.certFile === null) === (tls.keyFile === null)) return;
    const [missing, given] = tls.certFile === null ? ['certFile', 'keyFile'] : ['keyFile', 'certFile'];
    context.addIssue({ code: 'custom', path: [missing], message: `must be set together with server.tls.${given}` });
  });

export const configSchema = z
  .object({
    server: z
      .object({
        host: z.string().min(1),
        port,
        publicUrl: z.url({ protocol: /^https?$/ }).nullable(),
        tls: tlsFiles,
      })
      .strict(),
    token: z
      .object({
        path: z.string().regex(/^\/[A-Za-z0-9._~/-]*$/, 'must be a URL path starting with /'),
        issuer: z.string().min(1),
        service: z.string().min(1),
        lifetimeSeconds: lifetime,
        maxLifetimeSeconds: lifetime,
      })
      .strict()
      .refine((token) => token.lifetimeSeconds <= token.maxLifetimeSeconds, {
        message: 'lifetimeSeconds must not exceed maxLifetimeSeconds',
        path: ['lifetimeSeconds'],
      }),
    anonymous: z.object({ pullRepositories: repositoryPatterns }).strict(),
    database: z
      .object({
        url: nullableText,
        dataDir: z.string().min(1),
        poolSize: positiveInt(200),
        connectTimeoutMs: positiveInt(600_000),
      })
      .strict(),
    registry: z.object({ host: nullableText }).strict(),
    keys: z
      .object({
        dir: z.string().min(1),
        algorithm: z.enum(['RS256', 'ES256']),
        tokenHeader: z.enum(['kid', 'x5c']),
        reloadSeconds: z.coerce.number().int().min(0).max(3600),
      })
      .strict(),
    secrets: z.object({ bcryptCost: z.coerce.number().int().min(4).max(15) }).strict(),
    log: z
      .object({
        level: z.enum(['error', 'warn', 'info', 'debug']),
        format: z.enum(['auto', 'json', 'pretty']),
      })
      .strict(),
  })
  .strict();

export type RegauthSettings = z.infer<typeof configSchema>;

/** Environment variables and the setting each one overrides. */
export const ENVIRONMENT_VARIABLES: Readonly<Record<string, string>> = {
  REGAUTH_HOST: 'server.host',
  REGAUTH_PORT: 'server.port',
  REGAUTH_PUBLIC_URL: 'server.publicUrl',
  REGAUTH_TLS_CERT_FILE: 'server.tls.certFile',
  REGAUTH_TLS_KEY_FILE: 'server.tls.keyFile',
  REGAUTH_TOKEN_PATH: 'token.path',
  REGAUTH_ISSUER: 'token.issuer',
  REGAUTH_SERVICE: 'token.service',
  REGAUTH_TOKEN_LIFETIME: 'token.lifetimeSeconds',
  REGAUTH_TOKEN_MAX_LIFETIME: 'token.maxLifetimeSeconds',
  REGAUTH_PUBLIC_REPOSITORIES: 'anonymous.pullRepositories',
  DATABASE_URL: 'database.url',
  REGAUTH_DATA_DIR: 'database.dataDir',
  REGAUTH_DB_POOL_SIZE: 'database.poolSize',
  REGAUTH_DB_CONNECT_TIMEOUT_MS: 'database.connectTimeoutMs',
  REGAUTH_REGISTRY_HOST: 'registry.host',
  REGAUTH_KEYS_DIR: 'keys.dir',
  REGAUTH_KEYS_ALGORITHM: 'keys.algorithm',
  REGAUTH_KEYS_TOKEN_HEADER: 'keys.tokenHeader',
  REGAUTH_KEYS_RELOAD_SECONDS: 'keys.reloadSeconds',
  REGAUTH_BCRYPT_COST: 'secrets.bcryptCost',
  REGAUTH_LOG_LEVEL: 'log.level',
  REGAUTH_LOG_FORMAT: 'log.format',
};
