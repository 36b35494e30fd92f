import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startDaemon } from './daemon.js';
import { toolPath } from './required-tools.js';
import { runCommand, type CommandResult } from './run-command.js';
import { checkSocketPath } from './socket-path.js';

// /usr/local/bin/docker may be a newer client than the Debian engine speaks; use the packaged one.
const DOCKER_CLIENT = '/usr/bin/docker';

export interface RunningDockerd {
  /** "unix:///…/docker.sock", for `docker -H`. */
  readonly host: string;
  stop(): Promise<void>;
  logs(): string;
}

/** Runs the docker client against `host`, with its own config dir so tests never read or write ~/.docker. */
export function docker(host: string, configDir: string, args: string[], input?: string): Promise<CommandResult> {
  return runCommand(DOCKER_CLIENT, ['-H', host, ...args], {
    env: { ...process.env, DOCKER_CONFIG: configDir },
    ...(input === undefined ? {} : { input }),
  });
}

export async function startDockerd(workDir: string, containerdSocket: string): Promise<RunningDockerd> {
  const socket = checkSocketPath(join(workDir, 'docker.sock'));
  const host = `unix://${socket}`;
  await mkdir(workDir, { recursive: true });
  // An empty config file keeps the host's /etc/docker/daemon.json out of the test.
  const configFile = join(workDir, 'daemon.json');
  await writeFile(configFile, '{}\n');
  const daemon = await startDaemon({
    name: 'dockerd',
    command: toolPath('dockerd'),
    args: [
      '--config-file', configFile,
      '--iptables=false', '--ip6tables=false', '--ip-forward=false', '--ip-masq=false', '--bridge=none',
      '--storage-driver=vfs',
      '--data-root', join(workDir, 'data'),
      '--exec-root', join(workDir, 'exec'),
      '--pidfile', join(workDir, 'dockerd.pid'),
      '-H', host,
      '--containerd', containerdSocket,
    ],
    logFile: join(workDir, 'dockerd.log'),
    ready: async () => (await docker(host, join(workDir, 'client-config'), ['version'])).code === 0,
  });
  return { host, stop: () => daemon.stop(), logs: () => daemon.logs() };
}
