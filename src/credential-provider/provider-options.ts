import { parseArgs } from 'node:util';
import { parseDuration } from '../core/duration.js';
import { CredentialProviderError } from './credential-provider-error.js';

export interface ProviderOptions {
  readonly exchangeUrl: URL;
  readonly caFile: string | undefined;
  readonly registryHosts: readonly string[];
  readonly policyAnnotation: string;
  readonly timeoutMs: number;
}

export const DEFAULT_POLICY_ANNOTATION = 'regauth.io/policy';
export const DEFAULT_TIMEOUT_MS = 10_000;
// The kubelet kills a provider after a minute; it should give up first and say why.
export const MAXIMUM_TIMEOUT_MS = 50_000;

const REGISTRY_HOST = /^[A-Za-z0-9.*:/-]+$/;

export const USAGE =
  'usage: regauth-credential-provider --regauth-url URL --registry HOST [--registry HOST ...] ' +
  '[--ca-file PEM] [--policy-annotation KEY] [--timeout DURATION]' +
  ' (or REGAUTH_URL, REGAUTH_REGISTRIES=host,host, REGAUTH_CA_FILE, REGAUTH_POLICY_ANNOTATION, REGAUTH_TIMEOUT)';

function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path[end - 1] === '/') end -= 1;
  return path.slice(0, end);
}

function exchangeUrlOf(text: string | undefined): URL {
  if (text === undefined || text === '') throw new CredentialProviderError(`no regauth URL given; ${USAGE}`);
  let base: URL;
  try {
    base = new URL(text);
  } catch {
    throw new CredentialProviderError('the regauth URL is not a URL');
  }
  if (base.protocol !== 'https:') throw new CredentialProviderError('the regauth URL must be https');
  if (base.username !== '' || base.password !== '' || base.search !== '' || base.hash !== '') {
    throw new CredentialProviderError('the regauth URL must have no credentials, query or fragment');
  }
  return new URL(`${withoutTrailingSlashes(base.pathname)}/federation/exchange`, base);
}

function registryHostsOf(fromArgs: readonly string[], fromEnv: string | undefined): string[] {
  const hosts = fromArgs.length > 0 ? fromArgs : (fromEnv ?? '').split(',').map((host) => host.trim()).filter((host) => host !== '');
  if (hosts.length === 0) throw new CredentialProviderError(`no registry host given; ${USAGE}`);
  for (const host of hosts) {
    if (!REGISTRY_HOST.test(host)) throw new CredentialProviderError(`not a registry host: ${JSON.stringify(host)}`);
  }
  return [...new Set(hosts)];
}

function timeoutMsOf(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_TIMEOUT_MS;
  const ms = parseDuration(text);
  if (ms === null || ms <= 0 || ms > MAXIMUM_TIMEOUT_MS) {
    throw new CredentialProviderError(`the timeout must be a duration such as 10s, above 0 and at most ${MAXIMUM_TIMEOUT_MS / 1000}s`);
  }
  return ms;
}

/** The provider's settings from its arguments (the CredentialProviderConfig's `args`), else its environment (`env`). */
export function parseProviderOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ProviderOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        'regauth-url': { type: 'string' },
        'ca-file': { type: 'string' },
        registry: { type: 'string', multiple: true },
        'policy-annotation': { type: 'string' },
        timeout: { type: 'string' },
      },
    }));
  } catch (error) {
    throw new CredentialProviderError(`${(error as Error).message.split('\n')[0] ?? 'bad arguments'}; ${USAGE}`);
  }
  const caFile = values['ca-file'] ?? env.REGAUTH_CA_FILE;
  return {
    exchangeUrl: exchangeUrlOf(values['regauth-url'] ?? env.REGAUTH_URL),
    caFile: caFile === '' ? undefined : caFile,
    registryHosts: registryHostsOf(values.registry ?? [], env.REGAUTH_REGISTRIES),
    policyAnnotation: values['policy-annotation'] ?? (env.REGAUTH_POLICY_ANNOTATION || DEFAULT_POLICY_ANNOTATION),
    timeoutMs: timeoutMsOf(values.timeout ?? env.REGAUTH_TIMEOUT),
  };
}
