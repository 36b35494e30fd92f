import cluster from 'node:cluster';
import { ConfigError, loadConfig } from './adapters/config/load-config.js';
import { TlsSetupError } from './adapters/http/tls-credentials.js';
import { SigningKeyError } from './adapters/keys/signing-key.js';
import { flushStandardOutput } from './adapters/logging/winston-logger.js';
import { EmbeddedStoreBusyError } from './adapters/store/embedded-store-lock.js';
import { runClusterPrimary } from './cluster-primary.js';
import { processCount, registryConfigYaml, startRegauth, type RunningRegauth } from './composition-root.js';
import { keepHeapGrowthModest } from './heap-growth.js';
import { restartWithEmbeddedStoreFlags } from './embedded-store-runtime.js';
import { terminalStartupText } from './startup-output.js';

export interface ServerProcessOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Whether a person reads stdout: then the start-up output is text to copy, not a log field. */
  readonly terminal: boolean;
}

let running: RunningRegauth | null = null;
let stopSignal: string | null = null;
let stopping: Promise<void> | null = null;

function handleStopSignals(): void {
  // Installed before start-up, which can take seconds: a SIGTERM meanwhile must still end in a clean stop.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stopSignal = signal;
      if (running !== null) void stop(running);
    });
  }
}

function stop(server: RunningRegauth): Promise<void> {
  stopping ??= (async () => {
    server.regauth.logger.info('stopping: finishing requests in flight', { signal: stopSignal });
    await server.close();
    server.regauth.logger.info('stopped: requests finished, database connections closed');
    process.exit(0);
  })();
  return stopping;
}

/**
 * Runs the service in this process until SIGTERM or SIGINT: what `npm start` (dist/main.js) and
 * `regauth serve` both do. It resolves once the server listens; it rejects when it cannot start.
 */
export async function runServerProcess(options: ServerProcessOptions): Promise<void> {
  keepHeapGrowthModest();
  const config = loadConfig(options.env, options.cwd);
  if (config.database.url === null) restartWithEmbeddedStoreFlags();
  const processes = processCount(config);
  if (processes > 1 && cluster.isPrimary) return runClusterPrimary(config, processes);
  handleStopSignals();
  // A worker whose primary is gone (killed, crashed) has no one to restart or stop it: it stops itself.
  if (cluster.isWorker) process.once('disconnect', () => running !== null && void stop(running));
  running = await startRegauth(config);
  if (stopSignal !== null) return stop(running);
  if (cluster.isWorker) return;
  const yaml = registryConfigYaml(config);
  if (!options.terminal) {
    running.regauth.logger.info('give the registry this configuration (regauth registry-config prints it again)', {
      registryConfig: yaml,
    });
    return;
  }
  flushStandardOutput();
  process.stdout.write(
    terminalStartupText({ host: config.server.host, port: running.port, registryConfigYaml: yaml, registryHost: config.registry.host, uiUrl: config.ui.enabled ? `${running.url}/ui/` : null }),
  );
}

/** The one line a failed start leaves on stderr, then exit 1. */
export function exitOnStartFailure(error: unknown): never {
  const known =
    error instanceof ConfigError ||
    error instanceof SigningKeyError ||
    error instanceof EmbeddedStoreBusyError ||
    error instanceof TlsSetupError;
  process.stderr.write(`regauth: cannot start: ${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
}
