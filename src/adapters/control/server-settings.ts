import type { RegauthConfig } from '../config/load-config.js';
import { callControlSocket } from './control-client.js';

export const SERVER_SETTINGS_PATH = '/control/settings';

/**
 * The settings of a running server that the CLI prints for others (the registry's `auth.token` block).
 * Only public values: no secret, database URL or admin key is among them.
 */
export interface ServerSettings {
  readonly pid: number;
  readonly listen: { readonly host: string; readonly port: number };
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  readonly keysDir: string;
  readonly registryBundlePath: string;
  readonly registryJwksPath: string;
}

export function serverSettingsOf(config: RegauthConfig, port: number): ServerSettings {
  return {
    pid: process.pid,
    listen: { host: config.server.host, port },
    realm: config.realm,
    service: config.token.service,
    issuer: config.token.issuer,
    keysDir: config.keys.dir,
    registryBundlePath: config.registryBundlePath,
    registryJwksPath: config.registryJwksPath,
  };
}

export function readServerSettings(socketPath: string): Promise<ServerSettings> {
  return callControlSocket(socketPath, 'GET', SERVER_SETTINGS_PATH);
}
