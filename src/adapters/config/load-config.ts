import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { configSchema, ENVIRONMENT_VARIABLES, type RegauthSettings } from './config-schema.js';

export const DEFAULT_CONFIG_FILE = fileURLToPath(new URL('../../../config/default.yaml', import.meta.url));

/** Settings after validation, with paths made absolute and the derived values filled in. */
export interface RegauthConfig extends RegauthSettings {
  readonly server: RegauthSettings['server'] & { readonly publicUrl: string };
  readonly realm: string;
  readonly registryBundlePath: string;
  /** The JWKS file registry 3 reads (`auth.token.jwks`), beside the bundle. */
  readonly registryJwksPath: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Sources = Map<string, string>;

const DEFAULT_SOURCE = 'config/default.yaml';

/**
 * Reads config/default.yaml, then the file named by REGAUTH_CONFIG, then the environment, and validates
 * the result. Every problem names the setting and where its value came from.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): RegauthConfig {
  const sources: Sources = new Map();
  const merged = readYamlFile(DEFAULT_CONFIG_FILE);
  const overrideFile = nonEmpty(env.REGAUTH_CONFIG);
  if (overrideFile !== undefined) {
    const path = resolve(cwd, overrideFile);
    mergeInto(merged, readYamlFile(path), `REGAUTH_CONFIG file ${path}`, sources, '');
  }
  for (const [variable, key] of Object.entries(ENVIRONMENT_VARIABLES)) {
    const value = nonEmpty(env[variable]);
    if (value === undefined) continue;
    setPath(merged, key, value);
    sources.set(key, `environment variable ${variable}`);
  }

  const result = configSchema.safeParse(merged);
  if (!result.success) {
    throw new ConfigError(result.error.issues.flatMap((issue) => describeIssue(issue, sources)));
  }
  return derive(result.data, cwd);
}

/** One line per problem, naming the dotted setting and where its value came from. */
function describeIssue(issue: z.core.$ZodIssue, sources: Sources): string[] {
  const parent = issue.path.join('.');
  // zod reports unknown keys on their parent object; name each one and blame the file that set it.
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const setting = parent === '' ? key : `${parent}.${key}`;
      return `${setting} (from ${sources.get(setting) ?? DEFAULT_SOURCE}): unknown setting`;
    });
  }
  // An item of a list (server.trustedProxies.1) came from wherever its list did.
  const setting = issue.path.filter((key) => typeof key !== 'number').map(String).join('.');
  const source = sources.get(setting) ?? DEFAULT_SOURCE;
  const variable = environmentVariableFor(setting);
  const hint = variable !== undefined && !source.includes(variable) ? `; override with ${variable}` : '';
  return [`${parent || '(root)'} (from ${source}${hint}): ${issue.message}`];
}

function derive(settings: RegauthSettings, cwd: string): RegauthConfig {
  const { certFile, keyFile } = settings.server.tls;
  const scheme = certFile === null ? 'http' : 'https';
  const publicUrl = (settings.server.publicUrl ?? `${scheme}://127.0.0.1:${settings.server.port}`).replace(/\/+$/, '');
  const keysDir = resolve(cwd, settings.keys.dir);
  const tls = {
    certFile: certFile === null ? null : resolve(cwd, certFile),
    keyFile: keyFile === null ? null : resolve(cwd, keyFile),
  };
  return {
    ...settings,
    server: { ...settings.server, publicUrl, tls },
    database: { ...settings.database, dataDir: resolve(cwd, settings.database.dataDir) },
    keys: { ...settings.keys, dir: keysDir },
    realm: `${publicUrl}${settings.token.path}`,
    registryBundlePath: resolve(keysDir, 'registry-rootcertbundle.pem'),
    registryJwksPath: resolve(keysDir, 'registry-jwks.json'),
  };
}

function readYamlFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`cannot read config file ${path}: ${(error as Error).message}`]);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError([`${path} is not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError([`${path} must hold a YAML mapping`]);
  return parsed as Record<string, unknown>;
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>, origin: string, sources: Sources, prefix: string): void {
  for (const [key, value] of Object.entries(source)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const existing = target[key];
    if (isMapping(value) && isMapping(existing)) {
      mergeInto(existing, value, origin, sources, path);
    } else {
      target[key] = value;
      sources.set(path, origin);
    }
  }
}

function setPath(target: Record<string, unknown>, dottedKey: string, value: string): void {
  const keys = dottedKey.split('.');
  const last = keys.pop() as string;
  let node = target;
  for (const key of keys) {
    if (!isMapping(node[key])) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[last] = value;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function environmentVariableFor(key: string): string | undefined {
  return Object.entries(ENVIRONMENT_VARIABLES).find(([, setting]) => setting === key)?.[0];
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
