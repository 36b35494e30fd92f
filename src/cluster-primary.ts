import cluster, { type Worker } from 'node:cluster';
import type { RegauthConfig } from './adapters/config/load-config.js';
import { ConfigError } from './adapters/config/load-config.js';
import { createLogger, prepareRegistryConfig } from './composition-root.js';

const RESTART_DELAY_MS = 1_000;

/**
 * Serves one port from several processes (node:cluster): the primary makes sure a signing key and the
 * registry's bundle exist (so workers never race to generate different keys), forks the workers, restarts
 * one that dies, and on SIGTERM/SIGINT passes the signal on and exits 0 once all have finished their
 * requests. A worker that fails before it ever listened ends the whole service: a bad config or an
 * unreachable database would only fail again.
 */
export async function runClusterPrimary(config: RegauthConfig, processes: number): Promise<void> {
  if (config.database.url === null) {
    throw new ConfigError([
      `server.processes is ${processes}: more than one process needs PostgreSQL (DATABASE_URL); the embedded store belongs to one process`,
    ]);
  }
  const logger = createLogger(config);
  let stopping = false;
  const listening = new Set<Worker>();

  const fork = (): void => {
    const worker = cluster.fork();
    worker.once('listening', () => listening.add(worker));
    worker.once('exit', (code, signal) => {
      const hadListened = listening.delete(worker);
      if (stopping) {
        if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
        return;
      }
      if (!hadListened) {
        logger.error('a worker failed to start; stopping', { code, signal });
        stop('worker start-up failure', 1);
        return;
      }
      logger.error('a worker died; starting another', { code, signal });
      setTimeout(fork, RESTART_DELAY_MS).unref();
    });
  };

  const stop = (reason: string, exitCode = 0): void => {
    if (stopping) return;
    stopping = true;
    logger.info('stopping workers: finishing requests in flight', { reason });
    const workers = Object.values(cluster.workers ?? {}).filter((worker): worker is Worker => worker !== undefined);
    if (workers.length === 0) process.exit(exitCode);
    for (const worker of workers) worker.process.kill('SIGTERM');
    if (exitCode !== 0) process.exitCode = exitCode;
  };

  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => stop(signal));
  const { yaml } = await prepareRegistryConfig(config);
  if (stopping) return;
  for (let index = 0; index < processes; index += 1) fork();
  logger.info('regauth primary started its workers', { processes, registryConfig: yaml });
}
