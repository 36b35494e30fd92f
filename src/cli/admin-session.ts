import { openDeployTokenAdmin, type AdminKeyAdmin } from '../composition-root.js';
import type { DeployTokenAdmin } from '../app/deploy-token-admin.js';
import type { FederationAdmin } from '../app/federation/federation-admin.js';
import type { RegauthConfig } from '../adapters/config/load-config.js';
import { escapeControlCharactersInJson } from '../core/control-characters.js';
import { cliContext, type CliIo } from './cli-context.js';

export type AdminWork<T> = (admin: DeployTokenAdmin, adminKeys: AdminKeyAdmin, config: RegauthConfig, federation: FederationAdmin) => Promise<T>;

/** Opens the admin use cases (directly or through the running server), runs `work`, and closes them. */
export async function withAdmin<T>(io: CliIo, configFile: string | undefined, work: AdminWork<T>): Promise<T> {
  const { config, logger } = cliContext(io, configFile);
  const opened = await openDeployTokenAdmin(config, { logger });
  try {
    return await work(opened.admin, opened.adminKeys, config, opened.federation);
  } finally {
    await opened.close();
  }
}

/** Prints `value` as JSON with no raw control or bidi character, so piping it to a terminal is safe too. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${escapeControlCharactersInJson(JSON.stringify(value, null, 2))}\n`);
}
