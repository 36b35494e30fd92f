import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENVIRONMENT_VARIABLES } from '../../../src/adapters/config/config-schema.js';
import { ConfigError, loadConfig, type RegauthConfig } from '../../../src/adapters/config/load-config.js';

const CWD = '/srv/regauth';

/** The ConfigError `work` throws; fails the test when it throws anything else or nothing. */
function configErrorOf(work: () => unknown): ConfigError {
  try {
    work();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError, but nothing was thrown');
}

function valueAt(config: RegauthConfig, dottedKey: string): unknown {
  return dottedKey.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], config);
}

function withValueAt(config: RegauthConfig, dottedKey: string, value: unknown): RegauthConfig {
  const copy = structuredClone(config) as unknown as Record<string, unknown>;
  const keys = dottedKey.split('.');
  const last = keys.pop() as string;
  const parent = keys.reduce<Record<string, unknown>>((node, key) => node[key] as Record<string, unknown>, copy);
  parent[last] = value;
  return copy as unknown as RegauthConfig;
}

const DEFAULTS: RegauthConfig = {
  server: {
    host: '0.0.0.0',
    port: 5001,
    publicUrl: 'http://127.0.0.1:5001',
    processes: 1,
    trustedProxies: [],
    allowBroadTrustedProxies: false,
    tls: { certFile: null, keyFile: null },
    adminListener: { host: '0.0.0.0', port: null },
  },
  token: { path: '/token', issuer: 'regauth', service: 'registry', lifetimeSeconds: 300, maxLifetimeSeconds: 3600, refreshTokenIdleDays: 90 },
  anonymous: { pullRepositories: [] },
  database: { url: null, dataDir: '/srv/regauth/data', poolSize: 10, connectTimeoutMs: 3000, queryTimeoutMs: 5000 },
  registry: { host: null },
  keys: { dir: '/srv/regauth/keys', algorithm: 'RS256', tokenHeader: 'kid', reloadSeconds: 15 },
  secrets: { bcryptCost: 10, bcryptThreads: 'auto' as const, bcryptQueueLimit: 128 },
  credentialCache: { ttlSeconds: 60, failureTtlSeconds: 10, maxEntries: 10_000 },
  metrics: { enabled: true, path: '/metrics' },
  federation: { allowInsecureLoopbackIssuers: false, keySetRefreshCooldownSeconds: 60 },
  audit: { durability: 'durable', groupCommitMs: 0, maxBatch: 256, retentionDays: 400 },
  bruteForce: {
    enabled: true,
    perUsernameAndIp: { maxFailures: 10, windowSeconds: 600, lockSeconds: 60, maxLockSeconds: 3600, backoffWindowSeconds: 86_400 },
    perIp: { maxFailures: 100, windowSeconds: 600, lockSeconds: 900, maxLockSeconds: 900, backoffWindowSeconds: 86_400 },
  },
  ui: {
    enabled: true,
    idleMinutes: 30,
    absoluteHours: 12,
    oidc: {
      issuer: null,
      name: null,
      clientId: null,
      clientSecret: null,
      scopes: ['openid', 'email', 'profile', 'groups'],
      groupsClaim: 'groups',
      adminGroups: [],
      viewerGroups: [],
      allowInsecureLoopbackIssuer: false,
    },
  },
  log: { level: 'info', format: 'auto' },
  realm: 'http://127.0.0.1:5001/token',
  registryBundlePath: '/srv/regauth/keys/registry-rootcertbundle.pem',
  registryJwksPath: '/srv/regauth/keys/registry-jwks.json',
};

describe('loadConfig', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'regauth-cfg-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function configFile(name: string, yaml: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, yaml);
    return path;
  }

  describe('defaults', () => {
    test('come from config/default.yaml, with paths made absolute under the working directory', () => {
      expect(loadConfig({}, CWD)).toEqual(DEFAULTS);
    });
  });

  describe('environment variables', () => {
    // [variable, value, the setting's value after loading, other derived values that follow from it]
    const CASES: readonly [string, string, unknown, Partial<RegauthConfig>?][] = [
      ['REGAUTH_HOST', '127.0.0.2', '127.0.0.2'],
      [
        'REGAUTH_PORT',
        '8080',
        8080,
        { server: { ...DEFAULTS.server, port: 8080, publicUrl: 'http://127.0.0.1:8080' }, realm: 'http://127.0.0.1:8080/token' },
      ],
      ['REGAUTH_PROCESSES', '4', 4],
      ['REGAUTH_PUBLIC_URL', 'https://auth.example.com', 'https://auth.example.com', { realm: 'https://auth.example.com/token' }],
      ['REGAUTH_TRUSTED_PROXIES', '10.42.0.0/16, loopback,fd00::1', ['10.42.0.0/16', 'loopback', 'fd00::1']],
      ['REGAUTH_ALLOW_BROAD_TRUSTED_PROXIES', 'true', true],
      ['REGAUTH_ADMIN_HOST', '127.0.0.1', '127.0.0.1'],
      ['REGAUTH_ADMIN_PORT', '5002', 5002],
      ['REGAUTH_TOKEN_PATH', '/v2/token', '/v2/token', { realm: 'http://127.0.0.1:5001/v2/token' }],
      ['REGAUTH_ISSUER', 'issuer.example.com', 'issuer.example.com'],
      ['REGAUTH_SERVICE', 'registry.example.com', 'registry.example.com'],
      ['REGAUTH_TOKEN_LIFETIME', '600', 600],
      ['REGAUTH_TOKEN_MAX_LIFETIME', '7200', 7200],
      ['REGAUTH_REFRESH_TOKEN_IDLE_DAYS', '30', 30],
      ['REGAUTH_PUBLIC_REPOSITORIES', 'public/**, library/*', ['public/**', 'library/*']],
      ['DATABASE_URL', 'postgres://regauth@db.example.com:5432/regauth', 'postgres://regauth@db.example.com:5432/regauth'],
      ['REGAUTH_DATA_DIR', 'state/db', '/srv/regauth/state/db'],
      ['REGAUTH_DB_POOL_SIZE', '3', 3],
      ['REGAUTH_DB_CONNECT_TIMEOUT_MS', '2500', 2500],
      ['REGAUTH_DB_QUERY_TIMEOUT_MS', '750', 750],
      ['REGAUTH_REGISTRY_HOST', 'registry.example.com:5000', 'registry.example.com:5000'],
      [
        'REGAUTH_KEYS_DIR',
        '/etc/regauth/keys',
        '/etc/regauth/keys',
        {
          registryBundlePath: '/etc/regauth/keys/registry-rootcertbundle.pem',
          registryJwksPath: '/etc/regauth/keys/registry-jwks.json',
        },
      ],
      ['REGAUTH_KEYS_ALGORITHM', 'ES256', 'ES256'],
      ['REGAUTH_KEYS_TOKEN_HEADER', 'x5c', 'x5c'],
      ['REGAUTH_KEYS_RELOAD_SECONDS', '0', 0],
      ['REGAUTH_BRUTE_FORCE_PROTECTION', 'false', false],
      ['REGAUTH_BCRYPT_COST', '12', 12],
      ['REGAUTH_BCRYPT_THREADS', '3', 3],
      ['REGAUTH_BCRYPT_QUEUE_LIMIT', '500', 500],
      ['REGAUTH_CREDENTIAL_CACHE_TTL', '0', 0],
      ['REGAUTH_CREDENTIAL_CACHE_FAILURE_TTL', '30', 30],
      ['REGAUTH_CREDENTIAL_CACHE_MAX_ENTRIES', '500', 500],
      ['REGAUTH_AUDIT_DURABILITY', 'batched', 'batched'],
      ['REGAUTH_AUDIT_GROUP_COMMIT_MS', '10', 10],
      ['REGAUTH_AUDIT_MAX_BATCH', '64', 64],
      ['REGAUTH_AUDIT_RETENTION_DAYS', '0', 0],
      ['REGAUTH_METRICS_ENABLED', 'false', false],
      ['REGAUTH_METRICS_PATH', '/internal/metrics', '/internal/metrics'],
      ['REGAUTH_UI_ENABLED', 'false', false],
      ['REGAUTH_UI_IDLE_MINUTES', '15', 15],
      ['REGAUTH_UI_ABSOLUTE_HOURS', '8', 8],
      ['REGAUTH_UI_OIDC_NAME', 'Staff login', 'Staff login'],
      ['REGAUTH_UI_OIDC_CLIENT_ID', 'regauth', 'regauth'],
      ['REGAUTH_UI_OIDC_CLIENT_SECRET', 's3cret', 's3cret'],
      ['REGAUTH_UI_OIDC_SCOPES', 'openid,email', ['openid', 'email']],
      ['REGAUTH_UI_OIDC_GROUPS_CLAIM', 'roles', 'roles'],
      ['REGAUTH_UI_OIDC_ADMIN_GROUPS', 'admins, sre', ['admins', 'sre']],
      ['REGAUTH_UI_OIDC_VIEWER_GROUPS', 'auditors', ['auditors']],
      ['REGAUTH_UI_OIDC_ALLOW_INSECURE_LOOPBACK_ISSUER', 'true', true],
      ['REGAUTH_FEDERATION_ALLOW_INSECURE_LOOPBACK_ISSUERS', 'true', true],
      ['REGAUTH_FEDERATION_KEY_SET_REFRESH_COOLDOWN', '300', 300],
      ['REGAUTH_LOG_LEVEL', 'debug', 'debug'],
      ['REGAUTH_LOG_FORMAT', 'json', 'json'],
    ];

    /** Set only together: tested in 'TLS listener' below, and in ui-oidc-config.test.ts (an issuer needs a client id and groups). */
    const PAIRED_VARIABLES = ['REGAUTH_TLS_CERT_FILE', 'REGAUTH_TLS_KEY_FILE', 'REGAUTH_UI_OIDC_ISSUER'];

    test('the table covers every documented variable', () => {
      expect([...CASES.map(([variable]) => variable), ...PAIRED_VARIABLES].sort()).toEqual(Object.keys(ENVIRONMENT_VARIABLES).sort());
    });

    test.each(CASES)('%s=%s overrides its setting and nothing else', (variable, value, expected, derived = {}) => {
      const key = ENVIRONMENT_VARIABLES[variable] as string;
      const config = loadConfig({ [variable]: value }, CWD);

      expect(valueAt(config, key)).toEqual(expected);
      expect(config).toEqual({ ...withValueAt(DEFAULTS, key, expected), ...derived });
    });

    test('empty and blank values are ignored', () => {
      const blank = Object.fromEntries(Object.keys(ENVIRONMENT_VARIABLES).map((variable, index) => [variable, index % 2 ? '' : '  ']));
      expect(loadConfig(blank, CWD)).toEqual(DEFAULTS);
    });

    test('a public URL with a trailing slash gives a realm without a double slash', () => {
      const config = loadConfig({ REGAUTH_PUBLIC_URL: 'https://auth.example.com/' }, CWD);
      expect(config.server.publicUrl).toBe('https://auth.example.com');
      expect(config.realm).toBe('https://auth.example.com/token');
    });

    test('a public URL under a path keeps the path before the token path', () => {
      const config = loadConfig({ REGAUTH_PUBLIC_URL: 'https://example.com/auth//', REGAUTH_TOKEN_PATH: '/v2/token' }, CWD);
      expect(config.realm).toBe('https://example.com/auth/v2/token');
    });
  });

  describe('TLS listener', () => {
    test('certificate and key from the environment: absolute paths, and an https realm by default', () => {
      const config = loadConfig({ REGAUTH_TLS_CERT_FILE: 'tls/cert.pem', REGAUTH_TLS_KEY_FILE: '/etc/regauth/key.pem' }, CWD);
      expect(config.server).toEqual({
        ...DEFAULTS.server,
        publicUrl: 'https://127.0.0.1:5001',
        tls: { certFile: '/srv/regauth/tls/cert.pem', keyFile: '/etc/regauth/key.pem' },
      });
      expect(config.realm).toBe('https://127.0.0.1:5001/token');
    });

    test('an explicit public URL wins over the https default', () => {
      const config = loadConfig(
        { REGAUTH_TLS_CERT_FILE: 'c.pem', REGAUTH_TLS_KEY_FILE: 'k.pem', REGAUTH_PUBLIC_URL: 'https://auth.example.com' },
        CWD,
      );
      expect(config.realm).toBe('https://auth.example.com/token');
    });

    test('from a config file', async () => {
      const path = await configFile('tls.yaml', 'server:\n  tls:\n    certFile: c.pem\n    keyFile: k.pem\n');
      expect(loadConfig({ REGAUTH_CONFIG: path }, dir).server.tls).toEqual({ certFile: join(dir, 'c.pem'), keyFile: join(dir, 'k.pem') });
    });

    test.each([
      [{ REGAUTH_TLS_CERT_FILE: 'c.pem' }, 'server.tls.keyFile (from config/default.yaml; override with REGAUTH_TLS_KEY_FILE): must be set together with server.tls.certFile'],
      [{ REGAUTH_TLS_KEY_FILE: 'k.pem' }, 'server.tls.certFile (from config/default.yaml; override with REGAUTH_TLS_CERT_FILE): must be set together with server.tls.keyFile'],
    ])('one file without the other is refused (%#)', (env, problem) => {
      expect(configErrorOf(() => loadConfig(env, CWD)).problems).toEqual([problem]);
    });
  });

  describe('trusted proxies wider than one network of proxies', () => {
    const BROAD = [
      '10.0.0.0/8',
      '172.16.0.0/12',
      '10.0.0.0/255.0.0.0',
      '0.0.0.0/1',
      '10.0.0.0/15',
      'fd00::/8',
      '2001:db8::/47',
      '::ffff:10.0.0.0/104',
      '::/80',
      'uniquelocal',
      'linklocal',
    ];

    test.each(BROAD)('%s is refused: every host in it could name any client address', (entry) => {
      expect(configErrorOf(() => loadConfig({ REGAUTH_TRUSTED_PROXIES: `192.0.2.1,${entry}` }, CWD)).problems).toEqual([
        `server.trustedProxies.1 (from environment variable REGAUTH_TRUSTED_PROXIES): ${entry} is wider than /16 (IPv4) or /48 (IPv6): ` +
          'any host in it could forge the client address the brute-force protection counts; name the proxies themselves, ' +
          'or set server.allowBroadTrustedProxies (REGAUTH_ALLOW_BROAD_TRUSTED_PROXIES=true)',
      ]);
    });

    test('ranges of one network, IPv4-mapped ones by their IPv4 width, and loopback are accepted', () => {
      const entries = ['10.42.0.0/16', '10.42.7.0/24', '2001:db8:1::/48', '::ffff:10.42.0.0/112', 'loopback', '127.0.0.0/8'];
      expect(loadConfig({ REGAUTH_TRUSTED_PROXIES: entries.join(',') }, CWD).server.trustedProxies).toEqual(entries);
    });

    test('server.allowBroadTrustedProxies accepts them', async () => {
      const env = { REGAUTH_TRUSTED_PROXIES: BROAD.join(','), REGAUTH_ALLOW_BROAD_TRUSTED_PROXIES: 'true' };
      expect(loadConfig(env, CWD).server.trustedProxies).toEqual(BROAD);
      const path = await configFile('broad.yaml', 'server:\n  trustedProxies: [10.0.0.0/8]\n  allowBroadTrustedProxies: true\n');
      expect(loadConfig({ REGAUTH_CONFIG: path }, CWD).server.trustedProxies).toEqual(['10.0.0.0/8']);
    });

    test('a broad range from the file blames the file', async () => {
      const path = await configFile('broad-refused.yaml', 'server:\n  trustedProxies: [uniquelocal]\n');
      expect(configErrorOf(() => loadConfig({ REGAUTH_CONFIG: path }, CWD)).problems).toEqual([
        `server.trustedProxies.0 (from REGAUTH_CONFIG file ${path}; override with REGAUTH_TRUSTED_PROXIES): uniquelocal is wider than ` +
          '/16 (IPv4) or /48 (IPv6): any host in it could forge the client address the brute-force protection counts; name the ' +
          'proxies themselves, or set server.allowBroadTrustedProxies (REGAUTH_ALLOW_BROAD_TRUSTED_PROXIES=true)',
      ]);
    });
  });

  describe('REGAUTH_CONFIG file', () => {
    test('merges over the defaults key by key, relative paths resolved from the working directory', async () => {
      await configFile(
        'merge.yaml',
        ['server:', '  port: 6000', 'token:', '  issuer: file-issuer', 'keys:', '  dir: ./file-keys', ''].join('\n'),
      );
      const config = loadConfig({ REGAUTH_CONFIG: 'merge.yaml' }, dir);

      expect(config.server).toEqual({ ...DEFAULTS.server, port: 6000, publicUrl: 'http://127.0.0.1:6000' });
      expect(config.token).toEqual({ path: '/token', issuer: 'file-issuer', service: 'registry', lifetimeSeconds: 300, maxLifetimeSeconds: 3600, refreshTokenIdleDays: 90 });
      expect(config.keys.dir).toBe(join(dir, 'file-keys'));
      expect(config.registryBundlePath).toBe(join(dir, 'file-keys', 'registry-rootcertbundle.pem'));
      expect(config.database.dataDir).toBe(join(dir, 'data'));
    });

    test('environment variables win over the file', async () => {
      const path = await configFile('env-wins.yaml', 'server:\n  port: 6000\ntoken:\n  issuer: file-issuer\n');
      const config = loadConfig({ REGAUTH_CONFIG: path, REGAUTH_PORT: '7000' }, CWD);

      expect(config.server.port).toBe(7000);
      expect(config.token.issuer).toBe('file-issuer');
    });

    test('an environment variable replaces an invalid value of the file before it is checked', async () => {
      const path = await configFile('fixed-by-env.yaml', 'log:\n  level: verbose\n');
      expect(loadConfig({ REGAUTH_CONFIG: path, REGAUTH_LOG_LEVEL: 'warn' }, CWD).log.level).toBe('warn');
    });

    test('an empty file changes nothing', async () => {
      const path = await configFile('empty.yaml', '');
      expect(loadConfig({ REGAUTH_CONFIG: path }, CWD)).toEqual(DEFAULTS);
    });
  });

  describe('errors name the setting and where its value came from', () => {
    test('a token lifetime below 60 s from the environment', () => {
      const error = configErrorOf(() => loadConfig({ REGAUTH_TOKEN_LIFETIME: '30' }, CWD));

      expect(error.problems).toEqual([
        'token.lifetimeSeconds (from environment variable REGAUTH_TOKEN_LIFETIME): Too small: expected number to be >=60',
      ]);
      expect(error.message).toBe(
        'invalid configuration:\n  - token.lifetimeSeconds (from environment variable REGAUTH_TOKEN_LIFETIME): Too small: expected number to be >=60',
      );
      expect(error.name).toBe('ConfigError');
    });

    test('a port that is not a number', () => {
      expect(configErrorOf(() => loadConfig({ REGAUTH_PORT: 'abc' }, CWD)).problems).toEqual([
        'server.port (from environment variable REGAUTH_PORT): Invalid input: expected number, received NaN',
      ]);
    });

    test('a port out of range', () => {
      expect(configErrorOf(() => loadConfig({ REGAUTH_PORT: '70000' }, CWD)).problems).toEqual([
        'server.port (from environment variable REGAUTH_PORT): Too big: expected number to be <=65535',
      ]);
    });

    test('an unknown log level from the environment', () => {
      expect(configErrorOf(() => loadConfig({ REGAUTH_LOG_LEVEL: 'verbose' }, CWD)).problems).toEqual([
        'log.level (from environment variable REGAUTH_LOG_LEVEL): Invalid option: expected one of "error"|"warn"|"info"|"debug"',
      ]);
    });

    test('an unknown audit durability from the environment', () => {
      expect(configErrorOf(() => loadConfig({ REGAUTH_AUDIT_DURABILITY: 'async' }, CWD)).problems).toEqual([
        'audit.durability (from environment variable REGAUTH_AUDIT_DURABILITY): Invalid option: expected one of "durable"|"batched"',
      ]);
    });

    test('an unknown log level from the file names the file and the variable that overrides it', async () => {
      const path = await configFile('bad-level.yaml', 'log:\n  level: verbose\n');
      expect(configErrorOf(() => loadConfig({ REGAUTH_CONFIG: path }, CWD)).problems).toEqual([
        `log.level (from REGAUTH_CONFIG file ${path}; override with REGAUTH_LOG_LEVEL): Invalid option: expected one of "error"|"warn"|"info"|"debug"`,
      ]);
    });

    test('a switch that is neither true nor false', () => {
      expect(configErrorOf(() => loadConfig({ REGAUTH_METRICS_ENABLED: 'yes' }, CWD)).problems).toEqual([
        'metrics.enabled (from environment variable REGAUTH_METRICS_ENABLED): Invalid input: expected boolean, received string',
      ]);
    });

    test('a metrics path that is the token path', () => {
      expect(configErrorOf(() => loadConfig({ REGAUTH_METRICS_PATH: '/Token' }, CWD)).problems).toEqual([
        'metrics.path (from environment variable REGAUTH_METRICS_PATH): must differ from token.path',
      ]);
    });

    test.each(['/healthz', '/READYZ', '/readyz/'])('a token path the health routes answer: %s', (path) => {
      expect(configErrorOf(() => loadConfig({ REGAUTH_TOKEN_PATH: path }, CWD)).problems).toEqual([
        'token.path (from environment variable REGAUTH_TOKEN_PATH): must not be /healthz or /readyz',
      ]);
    });

    test('a public URL that is not http(s)', () => {
      expect(configErrorOf(() => loadConfig({ REGAUTH_PUBLIC_URL: 'ftp://auth.example.com' }, CWD)).problems).toEqual([
        'server.publicUrl (from environment variable REGAUTH_PUBLIC_URL): Invalid URL',
      ]);
    });

    test.each([
      ['yes', 'bruteForce.enabled (from environment variable REGAUTH_BRUTE_FORCE_PROTECTION): Invalid input: expected boolean, received string'],
      ['1', 'bruteForce.enabled (from environment variable REGAUTH_BRUTE_FORCE_PROTECTION): Invalid input: expected boolean, received string'],
    ])('REGAUTH_BRUTE_FORCE_PROTECTION=%s is neither true nor false', (value, problem) => {
      expect(configErrorOf(() => loadConfig({ REGAUTH_BRUTE_FORCE_PROTECTION: value }, CWD)).problems).toEqual([problem]);
    });

    test.each(['proxy.example.com', '10.0.0.0/33', '10.0.0.1/8/8', 'fd00::/129', '10.0.0.300', 'localhost'])(
      'a trusted proxy that express cannot use: %s',
      (entry) => {
        expect(configErrorOf(() => loadConfig({ REGAUTH_TRUSTED_PROXIES: `loopback,${entry}` }, CWD)).problems).toEqual([
          'server.trustedProxies.1 (from environment variable REGAUTH_TRUSTED_PROXIES): not an IP address, a CIDR (10.0.0.0/8) or one of loopback, linklocal, uniquelocal',
        ]);
      },
    );

    test('trusted proxies may be addresses, CIDRs, netmasks and the names express knows', () => {
      const entries = ['192.0.2.1', '10.42.0.0/16', '172.16.0.0/255.255.0.0', '2001:db8:1::/48', '::1', 'loopback', '127.0.0.0/8'];
      expect(loadConfig({ REGAUTH_TRUSTED_PROXIES: entries.join(',') }, CWD).server.trustedProxies).toEqual(entries);
    });

    test.each(['0.0.0.0/0', '::/0', '10.0.0.0/255.0.255.0', '10.0.0.0/0.0.0.0'])('a range express refuses at start: %s', (entry) => {
      expect(configErrorOf(() => loadConfig({ REGAUTH_TRUSTED_PROXIES: entry }, CWD)).problems).toEqual([
        'server.trustedProxies.0 (from environment variable REGAUTH_TRUSTED_PROXIES): not an IP address, a CIDR (10.0.0.0/8) or one of loopback, linklocal, uniquelocal',
      ]);
    });

    test('an admin listener on the service port is refused', () => {
      expect(configErrorOf(() => loadConfig({ REGAUTH_PORT: '5002', REGAUTH_ADMIN_PORT: '5002' }, CWD)).problems).toEqual([
        'server.adminListener.port (from environment variable REGAUTH_ADMIN_PORT): must differ from server.port',
      ]);
    });

    test('a lockout shorter than its own maximum is required', async () => {
      const path = await configFile('lockout.yaml', 'bruteForce:\n  perIp:\n    lockSeconds: 901\n');
      expect(configErrorOf(() => loadConfig({ REGAUTH_CONFIG: path }, CWD)).problems).toEqual([
        `bruteForce.perIp.lockSeconds (from REGAUTH_CONFIG file ${path}): lockSeconds must not exceed maxLockSeconds`,
      ]);
    });

    test('every problem is reported at once', () => {
      const error = configErrorOf(() =>
        loadConfig({ REGAUTH_PORT: 'abc', REGAUTH_LOG_LEVEL: 'verbose', REGAUTH_TOKEN_LIFETIME: '30' }, CWD),
      );
      expect(error.problems).toEqual([
        'server.port (from environment variable REGAUTH_PORT): Invalid input: expected number, received NaN',
        'token.lifetimeSeconds (from environment variable REGAUTH_TOKEN_LIFETIME): Too small: expected number to be >=60',
        'log.level (from environment variable REGAUTH_LOG_LEVEL): Invalid option: expected one of "error"|"warn"|"info"|"debug"',
      ]);
    });

    test('an unknown key in the file is refused', async () => {
      const path = await configFile('unknown-key.yaml', 'server:\n  bogus: 1\n');
      const error = configErrorOf(() => loadConfig({ REGAUTH_CONFIG: path }, CWD));
      expect(error.problems).toEqual([`server.bogus (from REGAUTH_CONFIG file ${path}): unknown setting`]);
    });

    test('an unknown key in the file is named by its dotted key and blamed on the file', async () => {
      const path = await configFile('unknown-key-source.yaml', 'server:\n  bogus: 1\n');
      const [problem] = configErrorOf(() => loadConfig({ REGAUTH_CONFIG: path }, CWD)).problems;
      expect(problem).toContain('server.bogus');
      expect(problem).toContain(`REGAUTH_CONFIG file ${path}`);
      expect(problem).not.toContain('config/default.yaml');
    });

    test('a missing file names the file', () => {
      const path = join(dir, 'missing.yaml');
      expect(configErrorOf(() => loadConfig({ REGAUTH_CONFIG: 'missing.yaml' }, dir)).problems).toEqual([
        `cannot read config file ${path}: ENOENT: no such file or directory, open '${path}'`,
      ]);
    });

    test('a file that holds a list rather than a mapping', async () => {
      const path = await configFile('list.yaml', '- server\n- token\n');
      expect(configErrorOf(() => loadConfig({ REGAUTH_CONFIG: path }, CWD)).problems).toEqual([
        `${path} must hold a YAML mapping`,
      ]);
    });

    test('a file that holds a scalar rather than a mapping', async () => {
      const path = await configFile('scalar.yaml', 'just text\n');
      expect(configErrorOf(() => loadConfig({ REGAUTH_CONFIG: path }, CWD)).problems).toEqual([
        `${path} must hold a YAML mapping`,
      ]);
    });

    test('a file that is not valid YAML is a ConfigError naming the file', async () => {
      const path = await configFile('broken.yaml', 'server: [unclosed\n');
      const error = configErrorOf(() => loadConfig({ REGAUTH_CONFIG: path }, CWD));
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toContain(path);
    });
  });
});
