import { loadConfig, type RegauthConfig } from '../adapters/config/load-config.js';
import { createWinstonLogger } from '../adapters/logging/winston-logger.js';
import type { Logger } from '../app/ports.js';

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
}

/** Config and a logger for one CLI run; log lines go to stderr so stdout stays parseable with --json. */
export function cliContext(io: CliIo, configFile: string | undefined): { config: RegauthConfig; logger: Logger } {
  const env = configFile === undefined ? io.env : { ...io.env, REGAUTH_CONFIG: configFile };
  const config = loadConfig(env, io.cwd);
  return { config, logger: createWinstonLogger({ level: 'warn', format: 'pretty', stream: io.stderr }) };
}
