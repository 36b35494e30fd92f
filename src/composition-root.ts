import { chmod, rm } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import type { Express } from 'express';
import { AdminKeys, type AdminKeyView, type CreatedAdminKey } from './app/admin-keys.js';
import { AuditRetention } from './app/audit-retention.js';
import { AuditTrail, type AuditTrailSettings } from './app/audit-trail.js';
import { StoreDeployTokenAdmin, type DeployTokenAdmin } from './app/deploy-token-admin.js';
import { forgetOnChanges, forgettingWrites } from './app/credential-cache-invalidation.js';
import { DeployTokenAuthenticator } from './app/deploy-token-authenticator.js';
import { DeployTokenUseRecorder } from './app/deploy-token-use-recorder.js';
import type { Clock, DeployTokenChangeFeed, Logger, LoginThrottle, RegistryTokenSigner, SecretHasher } from './app/ports.js';
import { StoreFederatedCredentialAdmin, type FederatedCredentialAdmin } from './app/federation/federated-credential-admin.js';
import { FederatedCredentialAuthenticator } from './app/federation/federated-credential-authenticator.js';
import { FederatedCredentialRetention } from './app/federation/federated-credential-retention.js';
import { FederatedCredentialUseRecorder } from './app/federation/federated-credential-use-recorder.js';
import { FederatedCredentials } from './app/federation/federated-credentials.js';
import { forgettingRevocations } from './app/federation/federated-credential-cache-invalidation.js';
import type { FederatedCredentialChangeFeed, FederatedCredentialStore, ServiceSecretStore } from './app/federation/federation-ports.js';
import { checkReadiness, type Readiness } from './app/readiness.js';
import { RefreshTokens } from './app/refresh-tokens.js';
import { RegistryTokenIssuer } from './app/registry-token-issuer.js';
import type { PendingSsoSignInStore } from './app/sso-sign-in-ports.js';
import type { UiSessionStore } from './app/ui-session-ports.js';
import { UiSessions } from './app/ui-sessions.js';
import { SsoSignIn, type SsoSignInDeps } from './app/sso-sign-in.js';
import type { FederationAdmin } from './app/federation/federation-admin.js';
import { StoreTrustedIssuerAdmin } from './app/federation/trusted-issuer-admin.js';
import { StoreTrustPolicyAdmin } from './app/federation/trust-policy-admin.js';
import { SigningKeyRotation } from './app/signing-key-rotation.js';
import { identityTokenPasswordCredentials } from './app/token-credentials/identity-token-password-credentials.js';
import { EXCHANGE_PATH, identityTokenExchangeParts } from './federation-exchange-parts.js';
import type { RegauthConfig } from './adapters/config/load-config.js';
import { createControlApp } from './adapters/control/control-app.js';
import { controlSocketPath } from './adapters/control/control-socket.js';
import { RemoteDeployTokenAdmin } from './adapters/control/remote-deploy-token-admin.js';
import { RemoteFederatedCredentialAdmin } from './adapters/control/remote-federated-credential-admin.js';
import { remoteFederationAdmin } from './adapters/control/remote-federation-admin.js';
import { readServerSettings, serverSettingsOf, type ServerSettings } from './adapters/control/server-settings.js';
import { HmacCredentialCache } from './adapters/cache/hmac-credential-cache.js';
import { LruFederatedCredentialCache } from './adapters/cache/federated-credential-cache.js';
import { BcryptSecretHasher } from './adapters/crypto/bcrypt-secret-hasher.js';
import { BcryptWorkerPool } from './adapters/crypto/bcrypt-worker-pool.js';
import { HmacFederatedPasswords } from './adapters/crypto/hmac-federated-passwords.js';
import { randomOpaqueTokens } from './adapters/crypto/opaque-tokens.js';
import { randomJwtIds, randomSecretGenerator } from './adapters/crypto/random-generators.js';
import { createAdminHttpApp } from './adapters/http/admin-http-app.js';
import { createHttpApp } from './adapters/http/http-app.js';
import { createRegauthServer } from './adapters/http/http-server.js';
import { UI_PREFIX, type UiRouterDeps } from './adapters/ui/ui-router.js';
import { SSO_CALLBACK_PATH, type SsoSignInOptions } from './adapters/ui/sso-sign-in-routes.js';
import { openidClientRelyingParty } from './adapters/oidc/openid-client-relying-party.js';
import { summarizeKeys } from './adapters/ui/signing-key-summary.js';
import { reachableFrom } from './adapters/http/listen-address.js';
import { loadTlsCredentials } from './adapters/http/tls-credentials.js';
import { JoseRegistryTokenSigner } from './adapters/keys/jose-token-signer.js';
import { ensureSigningKey, writeRegistryFiles } from './adapters/keys/key-directory.js';
import { KeyRing } from './adapters/keys/key-ring.js';
import { signingKeyFolder } from './adapters/keys/signing-key-rotation.js';
import type { SigningKey } from './adapters/keys/signing-key.js';
import { createWinstonLogger } from './adapters/logging/winston-logger.js';
import { PrometheusMetrics, type MetricsSources } from './adapters/metrics/prometheus-metrics.js';
import { registryAuthConfigYaml, type RegistryVersion } from './adapters/registry/registry-auth-config.js';
import { embeddedStoreHolder } from './adapters/store/embedded-store-lock.js';
import { openStore, type OpenStore } from './adapters/store/open-store.js';
import { sqlLoginFailureLimiters } from './adapters/store/sql-login-failure-limiters.js';
import { disabledLoginThrottle } from './adapters/throttle/disabled-login-throttle.js';
import { memoryLimiters, RateLimiterLoginThrottle } from './adapters/throttle/rate-limiter-login-throttle.js';
import type { SqlDatabase } from './adapters/store/sql-database.js';

export const systemClock: Clock = { now: () => new Date() };

/** Replacements for tests; anything absent is built from the config. */
export interface Overrides {
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly hasher?: SecretHasher;
  /** Use these stores instead of opening them (no migrations, no lock). */
  readonly stores?: Stores;
  readonly signer?: RegistryTokenSigner;
  /** Without it: on the opened store's database, or in memory when `stores` are given. */
  readonly loginThrottle?: LoginThrottle;
}

/**
 * Without `changes` (`federatedCredentialChanges`), changes made elsewhere cannot be seen, so deploy-token
 * (minted-credential) checks are never cached. Without
 * `federatedCredentials` and `serviceSecrets`, minted credentials are not accepted; without `uiSessions` there
 * is no web UI.
 */
export type Stores = Omit<
  OpenStore,
  'db' | 'close' | 'migrationsApplied' | 'changes' | 'federatedCredentials' | 'federatedCredentialChanges' | 'serviceSecrets' | 'uiSessions' | 'pendingSsoSignIns'
> & {
  readonly changes?: DeployTokenChangeFeed;
  readonly federatedCredentials?: FederatedCredentialStore;
  readonly federatedCredentialChanges?: FederatedCredentialChangeFeed;
  readonly serviceSecrets?: ServiceSecretStore;
  readonly uiSessions?: UiSessionStore;
  /** Without it, single sign-on is off even when configured. */
  readonly pendingSsoSignIns?: PendingSsoSignInStore;
};

/** How often collected last-use times and batched audit events are written. */
const BATCH_FLUSH_INTERVAL_MS = 1_000;

/** How often audit events past audit.retentionDays are deleted (and once at start). */
const AUDIT_RETENTION_INTERVAL_MS = 3_600_000;

/** How often expired identity-token uses and minted credentials are deleted (and once at start). */
const FEDERATION_RETENTION_INTERVAL_MS = 600_000;

/** Admin-key management for the CLI, wherever the store lives. */
export interface AdminKeyAdmin {
  create(name: string): Promise<CreatedAdminKey>;
  list(): Promise<AdminKeyView[]>;
  revoke(id: number): Promise<AdminKeyView>;
}

export interface RegauthApp {
  /** The service port's app: tokens, health, and the admin routes unless `adminApp` serves them. */
  readonly app: RequestListener;
  /** With `server.adminListener.port` set: metrics, the admin API and health, for the admin listener. */
  readonly adminApp: Express | null;
  readonly admin: DeployTokenAdmin;
  readonly adminKeys: AdminKeys;
  /** Null when the web UI is off. */
  readonly uiSessions: UiSessions | null;
  /** Minting from verified identity tokens, and the admin of minted credentials; null without their stores. */
  readonly federation: Federation | null;
  /** Trusted issuers and trust policies. */
  readonly federationAdmin: FederationAdmin;
  readonly signingKey: SigningKey;
  readonly logger: Logger;
  readonly storeKind: 'postgres' | 'embedded' | 'provided';
  readiness(): Promise<Readiness>;
  /** Writes collected last-use times and audit events now rather than at the next tick. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Minted (federated) credentials: the use cases the exchange endpoint, the admin API and the CLI call. */
export interface Federation {
  readonly credentials: FederatedCredentials;
  readonly admin: FederatedCredentialAdmin;
}

export function createLogger(config: RegauthConfig): Logger {
  const format = config.log.format === 'auto' ? (process.stdout.isTTY ? 'pretty' : 'json') : config.log.format;
  return createWinstonLogger({ level: config.log.level, format });
}

/** Builds every part of the service from its config: store, signing key, use cases and the HTTP app. */
export async function createRegauthApp(config: RegauthConfig, overrides: Overrides = {}): Promise<RegauthApp> {
  const logger = overrides.logger ?? createLogger(config);
  const clock = overrides.clock ?? systemClock;
  // Keys first: a missing or broken key refuses the start before any database work.
  const { key, generated } = await ensureKeyAndBundle(config, clock, logger);
  if (generated) logger.info('generated a signing key', { keyId: key.keyId, keyFile: key.keyFile });
  const keyRing = await KeyRing.open(config.keys.dir, clock, logger);
  const opened = overrides.stores === undefined ? await openStore(config.database, 'server', logger) : null;
  const stores = overrides.stores ?? (opened as OpenStore);
  let pool: BcryptWorkerPool | null = null;
  let stopForgetting: (() => Promise<void>) | null = null;
  let stopForgettingMinted: (() => Promise<void>) | null = null;
  let retention: AuditRetention | null = null;
  let federationRetention: FederatedCredentialRetention | null = null;
  /** Stops what was started, in reverse: on close, and when start-up fails part way. */
  const release = async (): Promise<void> => {
    await federationRetention?.stop();
    await retention?.stop();
    keyRing.stop();
    await stopForgetting?.();
    await stopForgettingMinted?.();
    await pool?.close();
    await opened?.close();
  };
  try {
    // Re-read periodically and on SIGHUP: rotated keys are picked up without a restart.
    keyRing.start(config.keys.reloadSeconds * 1000);
    const signer = overrides.signer ?? new JoseRegistryTokenSigner(keyRing, config.keys.tokenHeader);
    pool = overrides.hasher === undefined ? new BcryptWorkerPool(bcryptPoolSettings(config)) : null;
    const hasher = overrides.hasher ?? (pool as BcryptWorkerPool);
    const cache = credentialCacheFor(config, stores);
    if (cache !== null) stopForgetting = await forgetOnChanges(stores.changes as DeployTokenChangeFeed, cache);
    const metrics = config.metrics.enabled ? new PrometheusMetrics(metricsSources(opened, pool, cache)) : null;
    const audit = new AuditTrail(stores.auditLog, logger, metrics === null ? [] : [metrics.observeAuditEvent], auditTrailSettings(config));
    const uses = new DeployTokenUseRecorder(stores.store, logger);
    const throttle = overrides.loginThrottle ?? loginThrottle(config, opened?.db ?? null);
    const federated = await federatedCredentialParts(config, stores, clock, audit, logger);
    stopForgettingMinted = federated?.stopForgetting ?? null;
    const exchange =
      federated === null
        ? null
        : identityTokenExchangeParts({
            config,
            stores,
            credentials: federated.credentials,
            audit,
            clock,
            ...(metrics === null ? {} : { keySetObserver: metrics }),
          });
    const issuer = new RegistryTokenIssuer({
      ...(federated === null ? {} : { federated: federated.onTokenEndpoint }),
      ...(exchange === null || federated === null
        ? {}
        : { credentialModules: [identityTokenPasswordCredentials(exchange, federated.onTokenEndpoint)] }),
      authenticator: new DeployTokenAuthenticator({ store: stores.store, hasher, clock, ...(cache === null ? {} : { cache }) }),
      refreshTokens: new RefreshTokens({
        store: stores.refreshTokens,
        tokens: randomOpaqueTokens,
        clock,
        idleExpirySeconds: config.token.refreshTokenIdleDays * 86_400,
      }),
      signer,
      clock,
      jwtIds: randomJwtIds,
      audit,
      uses,
      throttle,
      settings: {
        issuer: config.token.issuer,
        service: config.token.service,
        lifetimeSeconds: config.token.lifetimeSeconds,
        maxLifetimeSeconds: config.token.maxLifetimeSeconds,
        publicRepositories: config.anonymous.pullRepositories,
      },
    });
    const adminStores = cache === null ? stores : { ...stores, store: forgettingWrites(stores.store, cache) };
    const admin = deployTokenAdmin(config, adminStores, hasher, clock, audit, uses);
    const adminKeys = new AdminKeys({ store: stores.adminKeys, tokens: randomOpaqueTokens, clock, audit });
    const federationAdminUseCases = federationAdmin(config, stores, clock, audit);
    const flushBatches = () => Promise.all([uses.flush(), federated?.uses.flush(), audit.flush()]).then(() => undefined);
    const flushTimer = setInterval(() => void flushBatches(), BATCH_FLUSH_INTERVAL_MS);
    flushTimer.unref();
    retention = new AuditRetention({ auditLog: stores.auditLog, clock, logger, retentionDays: config.audit.retentionDays });
    retention.start(AUDIT_RETENTION_INTERVAL_MS);
    if (federated !== null) {
      federationRetention = new FederatedCredentialRetention({ store: federated.store, clock, logger });
      federationRetention.start(FEDERATION_RETENTION_INTERVAL_MS);
    }
    const federation = federated === null ? null : { credentials: federated.credentials, admin: federated.admin };
    const readiness = () => checkReadiness(stores.store, signer);
    const shared = {
      tokenPath: config.token.path,
      admin,
      adminKeys,
      ...(federation === null ? {} : { federatedCredentials: federation.admin }),
      federation: federationAdminUseCases,
      readiness,
      logger,
      ...(metrics === null ? {} : { metrics: { metrics, path: config.metrics.path } }),
      trustedProxies: config.server.trustedProxies,
    };
    const adminListener = config.server.adminListener.port !== null;
    const ui = webUi(config, stores, { admin, adminKeys, federationAdmin: federationAdminUseCases, audit, throttle, clock, logger, keyRing });
    return {
      app: createHttpApp({
        ...shared,
        issuer,
        adminRoutesElsewhere: adminListener,
        ...(exchange === null ? {} : { exchange: { path: EXCHANGE_PATH, exchange } }),
        ...(ui === null ? {} : { ui }),
      }),
      adminApp: adminListener ? createAdminHttpApp(shared) : null,
      admin,
      adminKeys,
      uiSessions: ui?.sessions ?? null,
      federation,
      federationAdmin: federationAdminUseCases,
      signingKey: key,
      logger,
      storeKind: opened === null ? 'provided' : opened.db.kind,
      readiness,
      flush: flushBatches,
      close: async () => {
        clearInterval(flushTimer);
        await flushBatches();
        await release();
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}

/** The web UI's sessions and pages, when it is enabled and the store keeps sessions. */
function webUi(
  config: RegauthConfig,
  stores: Stores,
  parts: {
    admin: DeployTokenAdmin;
    adminKeys: AdminKeys;
    federationAdmin: FederationAdmin;
    audit: AuditTrail;
    throttle: LoginThrottle;
    clock: Clock;
    logger: Logger;
    keyRing: KeyRing;
  },
): UiRouterDeps | null {
  if (!config.ui.enabled || stores.uiSessions === undefined) return null;
  const sessions = new UiSessions({
    store: stores.uiSessions,
    adminKeys: parts.adminKeys,
    adminKeyStore: stores.adminKeys,
    tokens: randomOpaqueTokens,
    clock: parts.clock,
    throttle: parts.throttle,
    settings: { idleSeconds: config.ui.idleMinutes * 60, absoluteSeconds: config.ui.absoluteHours * 3600 },
  });
  const sso = ssoSignIn(config, stores.pendingSsoSignIns, { sessions, clock: parts.clock, throttle: parts.throttle, audit: parts.audit });
  const folder = signingKeyFolder(
    { dir: config.keys.dir, algorithm: config.keys.algorithm, bundlePath: config.registryBundlePath, jwksPath: config.registryJwksPath },
    parts.keyRing,
    parts.clock,
  );
  return {
    sessions,
    admin: parts.admin,
    adminKeys: parts.adminKeys,
    tokens: randomOpaqueTokens,
    clock: parts.clock,
    logger: parts.logger,
    signingKeys: () => summarizeKeys(parts.keyRing.all(), parts.clock.now()),
    signingKeyFolder: folder,
    signingKeyRotation: new SigningKeyRotation({ rotator: folder, audit: parts.audit, clock: parts.clock }),
    federationAdmin: parts.federationAdmin,
    registryConfigYaml: registryConfigYaml(config),
    ...(sso === null ? {} : { sso }),
  };
}

/** Single sign-on for the UI, when `ui.oidc.issuer` is set and the store keeps pending sign-ins. */
function ssoSignIn(config: RegauthConfig, pending: PendingSsoSignInStore | undefined, parts: Omit<SsoSignInDeps, 'relyingParty' | 'pending' | 'rules' | 'tokens'>): SsoSignInOptions | null {
  const oidc = config.ui.oidc;
  if (oidc.issuer === null || oidc.clientId === null || pending === undefined) return null;
  const relyingParty = openidClientRelyingParty({
    issuer: oidc.issuer,
    clientId: oidc.clientId,
    clientSecret: oidc.clientSecret,
    redirectUri: `${config.server.publicUrl}${UI_PREFIX}${SSO_CALLBACK_PATH}`,
    scopes: oidc.scopes,
    allowInsecureLoopbackIssuer: oidc.allowInsecureLoopbackIssuer,
  });
  const rules = { groupsClaim: oidc.groupsClaim, adminGroups: oidc.adminGroups, viewerGroups: oidc.viewerGroups };
  return {
    signIn: new SsoSignIn({ ...parts, relyingParty, pending, rules, tokens: randomOpaqueTokens }),
    providerName: oidc.name ?? new URL(oidc.issuer).hostname,
  };
}

/** Minted credentials on the token endpoint, their minting and their admin; null when the stores have none. */
async function federatedCredentialParts(config: RegauthConfig, stores: Stores, clock: Clock, audit: AuditTrail, logger: Logger) {
  const { federatedCredentials: store, serviceSecrets } = stores;
  if (store === undefined || serviceSecrets === undefined) return null;
  const passwords = new HmacFederatedPasswords(serviceSecrets);
  const uses = new FederatedCredentialUseRecorder(store, logger);
  const cache = federatedCredentialCacheFor(config, stores);
  const stopForgetting = cache === null ? null : await forgetOnChanges(stores.federatedCredentialChanges as FederatedCredentialChangeFeed, cache);
  const authenticator = new FederatedCredentialAuthenticator({ store, passwords, tokens: randomOpaqueTokens, clock, ...(cache === null ? {} : { cache }) });
  return {
    store,
    uses,
    stopForgetting,
    onTokenEndpoint: { authenticator, uses, clock },
    credentials: new FederatedCredentials({ store, passwords, tokens: randomOpaqueTokens, clock, audit }),
    admin: federatedCredentialAdmin(cache === null ? store : forgettingRevocations(store, cache), clock, audit, uses),
  };
}

/** Minted credentials are remembered as long as deploy tokens are (credentialCache.ttlSeconds), and only with a change feed. */
function federatedCredentialCacheFor(config: RegauthConfig, stores: Stores): LruFederatedCredentialCache | null {
  const { ttlSeconds, maxEntries } = config.credentialCache;
  if (stores.federatedCredentialChanges === undefined || ttlSeconds === 0) return null;
  return new LruFederatedCredentialCache({ maxEntries, ttlMs: ttlSeconds * 1000 });
}

function federatedCredentialAdmin(
  store: FederatedCredentialStore,
  clock: Clock,
  audit: AuditTrail,
  pendingUses?: FederatedCredentialUseRecorder,
): StoreFederatedCredentialAdmin {
  return new StoreFederatedCredentialAdmin({ store, clock, audit, ...(pendingUses === undefined ? {} : { pendingUses }) });
}

function auditTrailSettings(config: RegauthConfig): AuditTrailSettings {
  const { durability, groupCommitMs, maxBatch } = config.audit;
  return { durability, groupCommitMs, maxBatch };
}

/** `auto` threads: the cores shared among the processes, at least one each. */
function bcryptPoolSettings(config: RegauthConfig) {
  const { bcryptThreads, bcryptQueueLimit, bcryptCost } = config.secrets;
  const threads = bcryptThreads === 'auto' ? Math.max(1, Math.floor(availableParallelism() / processCount(config))) : bcryptThreads;
  return { cost: bcryptCost, threads, queueLimit: bcryptQueueLimit };
}

export function processCount(config: RegauthConfig): number {
  return config.server.processes === 'auto' ? availableParallelism() : config.server.processes;
}

function metricsSources(opened: OpenStore | null, pool: BcryptWorkerPool | null, cache: HmacCredentialCache | null): MetricsSources {
  const poolStats = opened?.db.poolStats?.bind(opened.db);
  return {
    ...(poolStats === undefined ? {} : { databasePool: poolStats }),
    ...(pool === null ? {} : { bcryptQueueDepth: () => pool.queueDepth() }),
    ...(cache === null ? {} : { credentialCache: () => cache.stats() }),
  };
}

function credentialCacheFor(config: RegauthConfig, stores: Stores): HmacCredentialCache | null {
  const { ttlSeconds, failureTtlSeconds, maxEntries } = config.credentialCache;
  if (stores.changes === undefined || (ttlSeconds === 0 && failureTtlSeconds === 0)) return null;
  return new HmacCredentialCache({ maxEntries, verifiedTtlMs: ttlSeconds * 1000, refusedTtlMs: failureTtlSeconds * 1000 });
}

/** The brute-force protection: its counters in the store's database, so every replica sees them. */
function loginThrottle(config: RegauthConfig, db: SqlDatabase | null): LoginThrottle {
  if (!config.bruteForce.enabled) return disabledLoginThrottle;
  return new RateLimiterLoginThrottle(config.bruteForce, db === null ? memoryLimiters : sqlLoginFailureLimiters(db));
}

function deployTokenAdmin(
  config: RegauthConfig,
  stores: Stores,
  hasher: SecretHasher,
  clock: Clock,
  audit: AuditTrail,
  pendingUses?: DeployTokenUseRecorder,
): StoreDeployTokenAdmin {
  return new StoreDeployTokenAdmin({
    ...(pendingUses === undefined ? {} : { pendingUses }),
    store: stores.store,
    refreshTokens: stores.refreshTokens,
    refreshTokenIdleSeconds: config.token.refreshTokenIdleDays * 86_400,
    hasher,
    secrets: randomSecretGenerator,
    clock,
    audit,
    auditLog: stores.auditLog,
    maxTokenLifetimeSeconds: config.token.maxLifetimeSeconds,
    registryHost: config.registry.host,
  });
}

/** Trusted issuers and trust policies over the stores, audited like every admin change. */
function federationAdmin(config: RegauthConfig, stores: Pick<Stores, 'trustedIssuers' | 'trustPolicies'>, clock: Clock, audit: AuditTrail): FederationAdmin {
  return {
    issuers: new StoreTrustedIssuerAdmin({ store: stores.trustedIssuers, policies: stores.trustPolicies, clock, audit, realm: config.realm }),
    policies: new StoreTrustPolicyAdmin({ store: stores.trustPolicies, issuers: stores.trustedIssuers, clock, audit }),
  };
}

export interface RunningRegauth {
  readonly url: string;
  /** The admin listener's URL, or null when the admin routes are on `url`. */
  readonly adminUrl: string | null;
  readonly port: number;
  readonly regauth: RegauthApp;
  close(): Promise<void>;
}

/**
 * Starts the service: the token endpoint on its port and, when it holds the embedded store, the control
 * socket the CLI uses meanwhile. `close` stops accepting, lets requests in flight finish, then closes the store.
 */
export async function startRegauth(config: RegauthConfig, overrides: Overrides = {}): Promise<RunningRegauth> {
  const tls = await loadTlsCredentials(config.server.tls);
  const regauth = await createRegauthApp(config, overrides);
  const servers: Server[] = [];
  try {
    const server = createRegauthServer(regauth.app, tls, regauth.logger);
    const http = await listen(server, { port: config.server.port, host: config.server.host });
    servers.push(http);
    const { port } = http.address() as AddressInfo;
    let adminPort: number | null = null;
    if (regauth.adminApp !== null) {
      const { host, port } = config.server.adminListener;
      const admin = await listen(createRegauthServer(regauth.adminApp, tls, regauth.logger), { port: port as number, host });
      servers.push(admin);
      adminPort = (admin.address() as AddressInfo).port;
    }
    if (regauth.storeKind === 'embedded') {
      const control = createControlApp(
        regauth.admin,
        regauth.adminKeys,
        regauth.logger,
        serverSettingsOf(config, port),
        regauth.federationAdmin,
        regauth.federation?.admin,
      );
      servers.push(await listenOnControlSocket(config.database.dataDir, control));
    }
    const scheme = tls === null ? 'http' : 'https';
    regauth.logger.info('regauth listening', {
      address: `${config.server.host}:${port}`,
      reachableFrom: reachableFrom(config.server.host),
      ...(adminPort === null ? {} : { adminAddress: `${config.server.adminListener.host}:${adminPort}` }),
      realm: config.realm,
      ...(regauth.uiSessions === null ? {} : { webUi: `${scheme}://127.0.0.1:${port}/ui/` }),
      keyId: regauth.signingKey.keyId,
      store: regauth.storeKind === 'embedded' ? `embedded (${config.database.dataDir})` : regauth.storeKind,
    });
    return {
      url: `${scheme}://127.0.0.1:${port}`,
      adminUrl: adminPort === null ? null : `${scheme}://127.0.0.1:${adminPort}`,
      port,
      regauth,
      close: async () => {
        await Promise.all(servers.map(closeGracefully));
        await regauth.close();
      },
    };
  } catch (error) {
    await Promise.all(servers.map(closeGracefully));
    await regauth.close();
    throw error;
  }
}

/**
 * The admin use cases for the CLI: through the running server when it holds the embedded store,
 * otherwise directly on the store.
 */
export async function openDeployTokenAdmin(
  config: RegauthConfig,
  overrides: Overrides = {},
): Promise<{
  admin: DeployTokenAdmin;
  adminKeys: AdminKeyAdmin;
  federatedCredentials: FederatedCredentialAdmin;
  federation: FederationAdmin;
  close(): Promise<void>;
}> {
  const logger = overrides.logger ?? createLogger(config);
  if (config.database.url === null && (await embeddedStoreHolder(config.database.dataDir))?.role === 'server') {
    const remote = new RemoteDeployTokenAdmin(controlSocketPath(config.database.dataDir));
    const adminKeys: AdminKeyAdmin = {
      create: (name) => remote.createAdminKey(name),
      list: () => remote.listAdminKeys(),
      revoke: (id) => remote.revokeAdminKey(id),
    };
    const federatedCredentials = new RemoteFederatedCredentialAdmin(controlSocketPath(config.database.dataDir));
    const federation = remoteFederationAdmin(controlSocketPath(config.database.dataDir));
    return { admin: remote, adminKeys, federatedCredentials, federation, close: async () => undefined };
  }
  const opened = await openStore(config.database, 'cli', logger);
  const hasher = overrides.hasher ?? new BcryptSecretHasher(config.secrets.bcryptCost);
  const clock = overrides.clock ?? systemClock;
  const audit = new AuditTrail(opened.auditLog, logger, [], auditTrailSettings(config));
  return {
    admin: deployTokenAdmin(config, opened, hasher, clock, audit),
    adminKeys: new AdminKeys({ store: opened.adminKeys, tokens: randomOpaqueTokens, clock, audit }),
    federatedCredentials: federatedCredentialAdmin(opened.federatedCredentials, clock, audit),
    federation: federationAdmin(config, opened, clock, audit),
    close: async () => {
      await audit.flush();
      await opened.close();
    },
  };
}

/**
 * How the server holding the embedded store was started, asked through its control socket; null when no
 * server holds it (the CLI cannot see a server on PostgreSQL).
 */
export async function runningServerSettings(config: RegauthConfig): Promise<ServerSettings | null> {
  if (config.database.url !== null || (await embeddedStoreHolder(config.database.dataDir))?.role !== 'server') return null;
  return readServerSettings(controlSocketPath(config.database.dataDir));
}

/** The registry's `auth.token` block for this config, after writing the certificate bundle and JWKS file it names. */
export async function prepareRegistryConfig(
  config: RegauthConfig,
  clock: Clock = systemClock,
  registryVersion: RegistryVersion = 2,
): Promise<{ yaml: string; key: SigningKey; generated: boolean }> {
  const { key, generated } = await ensureKeyAndBundle(config, clock);
  return { yaml: registryConfigYaml(config, registryVersion), key, generated };
}

/**
 * The signing key (generated when the folder has none) and an up-to-date bundle and JWKS file for the
 * registry. Given a logger (the server), a read-only keys folder is a warning: files already current are
 * not rewritten, and a Secret mount is kept current by whoever rotates the keys.
 */
async function ensureKeyAndBundle(config: RegauthConfig, clock: Clock, logger?: Logger): Promise<{ key: SigningKey; generated: boolean }> {
  const now = clock.now();
  const ensured = await ensureSigningKey(config.keys.dir, now, config.keys.algorithm);
  const paths = { bundlePath: config.registryBundlePath, jwksPath: config.registryJwksPath };
  for (const result of await writeRegistryFiles(config.keys.dir, paths, now, { tolerateReadOnly: logger !== undefined })) {
    if (result.outcome === 'read-only') logger?.warn('cannot update a registry trust file; it may be stale', { ...result });
  }
  return ensured;
}

export function registryConfigYaml(config: RegauthConfig, registryVersion: RegistryVersion = 2): string {
  return registryAuthConfigYaml({
    realm: config.realm,
    service: config.token.service,
    issuer: config.token.issuer,
    rootCertBundle: config.registryBundlePath,
    ...(registryVersion === 3 ? { jwks: config.registryJwksPath } : {}),
  });
}

/** We hold the store's lock, so a socket file already there was left by a process that died. */
async function listenOnControlSocket(dataDir: string, app: Express): Promise<Server> {
  const path = controlSocketPath(dataDir);
  await rm(path, { force: true });
  const server = await listen(createServer(app), { path });
  await chmod(path, 0o600);
  return server;
}

function listen(server: Server, options: { port?: number; host?: string; path?: string }): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function closeGracefully(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
