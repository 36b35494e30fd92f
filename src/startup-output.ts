import { listensOnEveryInterface, reachableFrom } from './adapters/http/listen-address.js';

export interface StartupFacts {
  readonly host: string;
  readonly port: number;
  /** The registry's `auth` section, as `regauth registry-config` prints it. */
  readonly registryConfigYaml: string;
  /** `registry.host`; the example commands use 127.0.0.1:5000 without it. */
  readonly registryHost: string | null;
  /** The web UI's address, or null when it is off. */
  readonly uiUrl?: string | null;
}

const EXAMPLE_REGISTRY = '127.0.0.1:5000';

/**
 * What a person who started the server in a terminal reads: where it listens, the registry's
 * configuration as YAML to copy, and the next commands. Without a terminal the same facts are log fields.
 */
export function terminalStartupText(facts: StartupFacts): string {
  const registry = facts.registryHost ?? EXAMPLE_REGISTRY;
  const listening = `regauth is listening on ${facts.host}:${facts.port}, ${reachableFrom(facts.host)}.`;
  return [
    '',
    listening,
    ...(listensOnEveryInterface(facts.host) ? ['To keep it on this machine, start it with REGAUTH_HOST=127.0.0.1.'] : []),
    '',
    "Give the registry this configuration (the auth section of its config.yml; `npx regauth registry-config` prints it again):",
    '',
    facts.registryConfigYaml.trimEnd(),
    '',
    ...(facts.uiUrl == null
      ? []
      : [`Web UI: ${facts.uiUrl} (sign in with a key from \`npx regauth admin-keys create --name you\`)`, '']),
    'Next, in another terminal:',
    `  npx regauth tokens create --name laptop --repo team/app --scope write_registry --registry ${registry}`,
    `  then run the docker login line it prints, and: docker push ${registry}/team/app:v1`,
    '',
    '',
  ].join('\n');
}
