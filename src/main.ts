import { ConfigError, loadConfig } from './adapters/config/load-config.js';
import { SigningKeyError } from './adapters/keys/signing-key.js';
import { EmbeddedStoreBusyError } from './adapters/store/embedded-store-lock.js';
import { registryConfigYaml, startRegauth } from './composition-root.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const running = await startRegauth(config);
  const yaml = registryConfigYaml(config);
  running.regauth.logger.info('give the registry this configuration (regauth registry-config prints it again)', {
    registryConfig: yaml,
  });
  if (process.stdout.isTTY) process.stdout.write(`\nRegistry configuration (auth section):\n\n${yaml}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    running.regauth.logger.info('stopping: finishing requests in flight', { signal });
    await running.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof SigningKeyError || error instanceof EmbeddedStoreBusyError;
  process.stderr.write(`regauth: cannot start: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
