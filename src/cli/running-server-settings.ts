import type { RegauthConfig } from '../adapters/config/load-config.js';
import type { ServerSettings } from '../adapters/control/server-settings.js';

/** The settings a registry is given, as the running server has them, in place of the CLI's own. */
export function withServerSettings(config: RegauthConfig, server: ServerSettings): RegauthConfig {
  return {
    ...config,
    realm: server.realm,
    token: { ...config.token, service: server.service, issuer: server.issuer },
    keys: { ...config.keys, dir: server.keysDir },
    registryBundlePath: server.registryBundlePath,
    registryJwksPath: server.registryJwksPath,
  };
}

/** One line per setting where the running server and the CLI's own config disagree. */
export function settingsDifferences(config: RegauthConfig, server: ServerSettings): string[] {
  const pairs: readonly (readonly [name: string, server: string, cli: string])[] = [
    ['realm', server.realm, config.realm],
    ['service', server.service, config.token.service],
    ['issuer', server.issuer, config.token.issuer],
    ['keys folder', server.keysDir, config.keys.dir],
  ];
  return pairs.filter(([, ofServer, ofCli]) => ofServer !== ofCli).map(([name, ofServer, ofCli]) => `${name}: ${ofServer} (this command's own: ${ofCli})`);
}

/** Said on stderr, so that stdout stays the YAML to copy. */
export function differencesNotice(server: ServerSettings, differences: readonly string[]): string {
  return (
    `regauth: the running server (pid ${server.pid}, port ${server.listen.port}) was started with other settings than this command; ` +
    `printing the server's:\n${differences.map((line) => `  ${line}\n`).join('')}`
  );
}
