import { z } from 'zod';
import { MIN_TOKEN_LIFETIME_SECONDS } from '../../core/registry-claims.js';
import { parseRepositoryPattern } from '../../core/repository-pattern.js';
import { HEALTH_PATHS } from '../http/health-paths.js';
import { booleanSetting, commaSeparated } from './setting-types.js';
import { uiOidcSettings } from './ui-oidc-settings.js';
import { isTooBroad, proxyRanges, WIDEST_TRUSTED_PREFIX } from './trusted-proxies.js';

const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = (max: number) => z.coerce.number().int().min(1).max(max);
const nullableText = z.string().min(1).nullable();
const autoOrCount = (max: number) => z.union([z.literal('auto'), positiveInt(max)]);
const urlPath = z.string().regex(/^\/[A-Za-z0-9._~/-]*$/, 'must be a URL path starting with /');
const lifetime = z.coerce.number().int().min(MIN_TOKEN_LIFETIME_SECONDS).max(86_400);

const repositoryPatterns = commaSeparated(
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
);

/** What express's `trust proxy` accepts: an address, a CIDR, an IPv4 netmask, or one of its names for private ranges. */
const proxyAddress = z
  .string()
  .refine((entry) => proxyRanges(entry) !== null, {
    message: 'not an IP address, a CIDR (10.0.0.0/8) or one of loopback, linklocal, uniquelocal',
  });

const BROAD_PROXY_ADVICE =
  `is wider than /${WIDEST_TRUSTED_PREFIX.ipv4} (IPv4) or /${WIDEST_TRUSTED_PREFIX.ipv6} (IPv6): any host in it could forge ` +
  'the client address the brute-force protection counts; name the proxies themselves, or set ' +
  'server.allowBroadTrustedProxies (REGAUTH_ALLOW_BROAD_TRUSTED_PROXIES=true)';

/** A pod CIDR or 10.0.0.0/8 lets any pod claim any client address, so it needs an explicit yes. */
function refuseBroadTrustedProxies(server: { trustedProxies: string[]; allowBroadTrustedProxies: boolean }, context: z.RefinementCtx): void {
  if (server.allowBroadTrustedProxies) return;
  server.trustedProxies.forEach((entry, index) => {
    if (!(proxyRanges(entry) ?? []).some(isTooBroad)) return;
    context.addIssue({ code: 'custom', path: ['trustedProxies', index], message: `${entry} ${BROAD_PROXY_ADVICE}` });
  });
}

const lockoutRule = z
  .object({
    maxFailures: positiveInt(1_000_000),
    windowSeconds: positiveInt(31 * 86_400),
    lockSeconds: positiveInt(31 * 86_400),
    maxLockSeconds: positiveInt(31 * 86_400),
    backoffWindowSeconds: positiveInt(31 * 86_400),
  })
  .strict()
  .refine((rule) => rule.lockSeconds <= rule.maxLockSeconds, {
    message: 'lockSeconds must not exceed maxLockSeconds',
    path: ['lockSeconds'],
  });

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
        processes: autoOrCount(256),
        trustedProxies: commaSeparated(proxyAddress),
        allowBroadTrustedProxies: booleanSetting,
        tls: tlsFiles,
        adminListener: z.object({ host: z.string().min(1), port: port.nullable() }).strict(),
      })
      .strict()
      .superRefine(refuseBroadTrustedProxies)
      .refine((server) => server.adminListener.port === null || server.adminListener.port === 0 || server.adminListener.port !== server.port, {
        message: 'must differ from server.port',
        path: ['adminListener', 'port'],
      }),
    token: z
      .object({
        path: urlPath,
        issuer: z.string().min(1),
        service: z.string().min(1),
        lifetimeSeconds: lifetime,
        maxLifetimeSeconds: lifetime,
        refreshTokenIdleDays: z.coerce.number().int().min(1).max(3650),
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
        queryTimeoutMs: positiveInt(600_000),
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
    secrets: z
      .object({
        bcryptCost: z.coerce.number().int().min(4).max(15),
        bcryptThreads: autoOrCount(256),
        bcryptQueueLimit: positiveInt(100_000),
      })
      .strict(),
    credentialCache: z
      .object({
        ttlSeconds: z.coerce.number().int().min(0).max(3600),
        failureTtlSeconds: z.coerce.number().int().min(0).max(600),
        maxEntries: positiveInt(10_000_000),
      })
      .strict(),
    metrics: z.object({ enabled: booleanSetting, path: urlPath }).strict(),
    federation: z
      .object({
        allowInsecureLoopbackIssuers: booleanSetting,
        keySetRefreshCooldownSeconds: positiveInt(86_400),
      })
      .strict(),
    audit: z
      .object({
        durability: z.enum(['durable', 'batched']),
        groupCommitMs: z.coerce.number().int().min(0).max(1_000),
        maxBatch: positiveInt(10_000),
        retentionDays: z.coerce.number().int().min(0).max(36_500),
      })
      .strict(),
    bruteForce: z
      .object({
        enabled: booleanSetting,
        perUsernameAndIp: lockoutRule,
        perIp: lockoutRule,
      })
      .strict(),
    ui: z
      .object({
        enabled: booleanSetting,
        idleMinutes: positiveInt(24 * 60),
        absoluteHours: positiveInt(7 * 24),
        oidc: uiOidcSettings,
      })
      .strict(),
    log: z
      .object({
        level: z.enum(['error', 'warn', 'info', 'debug']),
        format: z.enum(['auto', 'json', 'pretty']),
      })
      .strict(),
  })
  .strict()
  .refine((settings) => settings.metrics.path.toLowerCase() !== settings.token.path.toLowerCase(), {
    message: 'must differ from token.path',
    path: ['metrics', 'path'],
  })
  // The token route is matched first: it must not hide the health routes.
  .refine((settings) => !HEALTH_PATHS.includes(settings.token.path.toLowerCase().replace(/(.)\/$/, '$1')), {
    message: `must not be ${HEALTH_PATHS.join(' or ')}`,
    path: ['token', 'path'],
  });

export type RegauthSettings = z.infer<typeof configSchema>;

/** Environment variables and the setting each one overrides. */
export const ENVIRONMENT_VARIABLES: Readonly<Record<string, string>> = {
  REGAUTH_HOST: 'server.host',
  REGAUTH_PORT: 'server.port',
  REGAUTH_PUBLIC_URL: 'server.publicUrl',
  REGAUTH_PROCESSES: 'server.processes',
  REGAUTH_TRUSTED_PROXIES: 'server.trustedProxies',
  REGAUTH_ALLOW_BROAD_TRUSTED_PROXIES: 'server.allowBroadTrustedProxies',
  REGAUTH_TLS_CERT_FILE: 'server.tls.certFile',
  REGAUTH_TLS_KEY_FILE: 'server.tls.keyFile',
  REGAUTH_ADMIN_HOST: 'server.adminListener.host',
  REGAUTH_ADMIN_PORT: 'server.adminListener.port',
  REGAUTH_TOKEN_PATH: 'token.path',
  REGAUTH_ISSUER: 'token.issuer',
  REGAUTH_SERVICE: 'token.service',
  REGAUTH_TOKEN_LIFETIME: 'token.lifetimeSeconds',
  REGAUTH_TOKEN_MAX_LIFETIME: 'token.maxLifetimeSeconds',
  REGAUTH_REFRESH_TOKEN_IDLE_DAYS: 'token.refreshTokenIdleDays',
  REGAUTH_PUBLIC_REPOSITORIES: 'anonymous.pullRepositories',
  DATABASE_URL: 'database.url',
  REGAUTH_DATA_DIR: 'database.dataDir',
  REGAUTH_DB_POOL_SIZE: 'database.poolSize',
  REGAUTH_DB_CONNECT_TIMEOUT_MS: 'database.connectTimeoutMs',
  REGAUTH_DB_QUERY_TIMEOUT_MS: 'database.queryTimeoutMs',
  REGAUTH_REGISTRY_HOST: 'registry.host',
  REGAUTH_KEYS_DIR: 'keys.dir',
  REGAUTH_KEYS_ALGORITHM: 'keys.algorithm',
  REGAUTH_KEYS_TOKEN_HEADER: 'keys.tokenHeader',
  REGAUTH_KEYS_RELOAD_SECONDS: 'keys.reloadSeconds',
  REGAUTH_BRUTE_FORCE_PROTECTION: 'bruteForce.enabled',
  REGAUTH_BCRYPT_COST: 'secrets.bcryptCost',
  REGAUTH_BCRYPT_THREADS: 'secrets.bcryptThreads',
  REGAUTH_BCRYPT_QUEUE_LIMIT: 'secrets.bcryptQueueLimit',
  REGAUTH_CREDENTIAL_CACHE_TTL: 'credentialCache.ttlSeconds',
  REGAUTH_CREDENTIAL_CACHE_FAILURE_TTL: 'credentialCache.failureTtlSeconds',
  REGAUTH_CREDENTIAL_CACHE_MAX_ENTRIES: 'credentialCache.maxEntries',
  REGAUTH_AUDIT_DURABILITY: 'audit.durability',
  REGAUTH_AUDIT_GROUP_COMMIT_MS: 'audit.groupCommitMs',
  REGAUTH_AUDIT_MAX_BATCH: 'audit.maxBatch',
  REGAUTH_AUDIT_RETENTION_DAYS: 'audit.retentionDays',
  REGAUTH_METRICS_ENABLED: 'metrics.enabled',
  REGAUTH_FEDERATION_ALLOW_INSECURE_LOOPBACK_ISSUERS: 'federation.allowInsecureLoopbackIssuers',
  REGAUTH_FEDERATION_KEY_SET_REFRESH_COOLDOWN: 'federation.keySetRefreshCooldownSeconds',
  REGAUTH_METRICS_PATH: 'metrics.path',
  REGAUTH_UI_ENABLED: 'ui.enabled',
  REGAUTH_UI_IDLE_MINUTES: 'ui.idleMinutes',
  REGAUTH_UI_ABSOLUTE_HOURS: 'ui.absoluteHours',
  REGAUTH_UI_OIDC_ISSUER: 'ui.oidc.issuer',
  REGAUTH_UI_OIDC_NAME: 'ui.oidc.name',
  REGAUTH_UI_OIDC_CLIENT_ID: 'ui.oidc.clientId',
  REGAUTH_UI_OIDC_CLIENT_SECRET: 'ui.oidc.clientSecret',
  REGAUTH_UI_OIDC_SCOPES: 'ui.oidc.scopes',
  REGAUTH_UI_OIDC_GROUPS_CLAIM: 'ui.oidc.groupsClaim',
  REGAUTH_UI_OIDC_ADMIN_GROUPS: 'ui.oidc.adminGroups',
  REGAUTH_UI_OIDC_VIEWER_GROUPS: 'ui.oidc.viewerGroups',
  REGAUTH_UI_OIDC_ALLOW_INSECURE_LOOPBACK_ISSUER: 'ui.oidc.allowInsecureLoopbackIssuer',
  REGAUTH_LOG_LEVEL: 'log.level',
  REGAUTH_LOG_FORMAT: 'log.format',
};
