import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { startDaemon, type Daemon, type DaemonExit } from './daemon.js';
import { freePort } from './free-port.js';
import { assertSucceeded, runCommand, type CommandResult } from './run-command.js';
import { REPOSITORY_ROOT as ROOT } from '../../support/repository.js';

export const SERVICE = 'e2e-registry';
export const ISSUER = 'regauth-e2e';

export interface RegauthProcess {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly env: NodeJS.ProcessEnv;
  /** Sends a signal to the service process (SIGHUP: re-read the keys folder). */
  signal(signal: NodeJS.Signals): void;
  /** Runs `bin/regauth.js` with this instance's settings. */
  cli(args: string[]): Promise<CommandResult>;
  /** The registry's auth.token settings, as `regauth registry-config` prints them. */
  registryAuth(): Promise<{ realm: string; service: string; issuer: string; rootCertBundle: string }>;
  createToken(options: { name: string; repos: string[]; scopes: string[]; expires?: string }): Promise<{ username: string; secret: string }>;
  logs(): string;
  /** Its JSON log lines so far, parsed (see jsonLogRecords). */
  logRecords(): LogRecord[];
  /**
   * Its JSON log lines once the log has gone quiet: lines are written in 10 ms batches, and an audit line
   * only after its row is committed, so a client can exit before the line of its last request is written.
   */
  settledLogRecords(): Promise<LogRecord[]>;
  exited(): Promise<DaemonExit>;
  stop(): Promise<void>;
}

/**
 * Runs the built service (`node dist/main.js`, what `npm start` runs) as its own process, on the embedded
 * store in `workDir` unless a DATABASE_URL is given.
 */
export async function startRegauthProcess(
  workDir: string,
  options: { databaseUrl?: string; env?: NodeJS.ProcessEnv; port?: number } = {},
): Promise<RegauthProcess> {
  await mkdir(workDir, { recursive: true });
  // A restart passes the old port: the registry's realm names it.
  const port = options.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    REGAUTH_HOST: '127.0.0.1',
    REGAUTH_PORT: String(port),
    REGAUTH_DATA_DIR: join(workDir, 'data'),
    REGAUTH_KEYS_DIR: join(workDir, 'keys'),
    REGAUTH_SERVICE: SERVICE,
    REGAUTH_ISSUER: ISSUER,
    REGAUTH_BCRYPT_COST: '4',
    REGAUTH_LOG_FORMAT: 'json',
    REGAUTH_LOG_LEVEL: 'debug',
    DATABASE_URL: options.databaseUrl ?? '',
    ...options.env,
  };
  const url = `http://127.0.0.1:${port}`;
  const daemon: Daemon = await startDaemon({
    name: 'regauth',
    command: process.execPath,
    args: [join(ROOT, 'dist/main.js')],
    env,
    cwd: workDir,
    logFile: join(workDir, 'regauth.log'),
    ready: async () => (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) })).ok,
    readyTimeoutMs: 60_000,
  });
  const cli = (args: string[]) => runCommand(process.execPath, [join(ROOT, 'bin/regauth.js'), ...args], { env });
  return {
    url,
    port,
    pid: daemon.pid,
    env,
    signal: (signal) => process.kill(daemon.pid, signal),
    cli,
    registryAuth: async () => {
      const printed = assertSucceeded(await cli(['registry-config']), 'regauth registry-config').stdout;
      const token = (parseYaml(printed) as { auth: { token: Record<string, string> } }).auth.token;
      return {
        realm: token.realm as string,
        service: token.service as string,
        issuer: token.issuer as string,
        rootCertBundle: token.rootcertbundle as string,
      };
    },
    createToken: async ({ name, repos, scopes, expires }) => {
      const args = ['tokens', 'create', '--json', '--name', name];
      for (const repo of repos) args.push('--repo', repo);
      for (const scope of scopes) args.push('--scope', scope);
      if (expires !== undefined) args.push('--expires', expires);
      const created = JSON.parse(assertSucceeded(await cli(args), 'regauth tokens create').stdout) as {
        token: { username: string };
        secret: string;
      };
      return { username: created.token.username, secret: created.secret };
    },
    logs: () => daemon.logs(),
    logRecords: () => jsonLogRecords(daemon.logs()),
    settledLogRecords: async () => {
      let length = -1;
      // Quiet for two 50 ms looks in a row, or 5 s at most.
      for (let look = 0, quiet = 0; look < 100 && quiet < 2; look += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        const now = daemon.logs().length;
        quiet = now === length ? quiet + 1 : 0;
        length = now;
      }
      return jsonLogRecords(daemon.logs());
    },
    exited: () => daemon.exited(),
    stop: () => daemon.stop(),
  };
}

export type LogRecord = Record<string, unknown>;

/**
 * The JSON lines of a log, parsed. The text after the last newline is left out: read while the service
 * writes, it can be a line cut short. Lines that are not JSON (a crash's stack trace) are skipped.
 */
export function jsonLogRecords(logs: string): LogRecord[] {
  return logs
    .split('\n')
    .slice(0, -1)
    .flatMap((line) => {
      try {
        const record: unknown = JSON.parse(line);
        return typeof record === 'object' && record !== null ? [record as LogRecord] : [];
      } catch {
        return [];
      }
    });
}
