import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startDaemon } from './daemon.js';
import { toolPath } from './required-tools.js';
import { runCommand, type CommandResult } from './run-command.js';
import { checkSocketPath } from './socket-path.js';

export const CTR_NAMESPACE = 'regauth-e2e';

export interface RunningContainerd {
  /** Path of the gRPC unix socket. */
  readonly socket: string;
  stop(): Promise<void>;
  logs(): string;
}

/** `ctr -a SOCKET -n regauth-e2e ARGS…`; pulls and pushes to a loopback registry need `--plain-http --user u:p`. */
export function ctr(socket: string, args: string[]): Promise<CommandResult> {
  // native works on any filesystem; overlayfs fails where /tmp is itself on overlayfs (containers in CI).
  return runCommand(toolPath('ctr'), ['-a', socket, '-n', CTR_NAMESPACE, ...args], {
    env: { ...process.env, CONTAINERD_SNAPSHOTTER: 'native' },
  });
}

export async function startContainerd(workDir: string): Promise<RunningContainerd> {
  const socket = checkSocketPath(join(workDir, 'ctd.sock'));
  await mkdir(workDir, { recursive: true });
  const configPath = join(workDir, 'ctd.toml');
  await writeFile(
    configPath,
    [
      'version = 2',
      `root = ${JSON.stringify(join(workDir, 'root'))}`,
      `state = ${JSON.stringify(join(workDir, 'state'))}`,
      '[grpc]',
      `  address = ${JSON.stringify(socket)}`,
      '[plugins."io.containerd.internal.v1.opt"]',
      `  path = ${JSON.stringify(join(workDir, 'opt'))}`,
      '',
    ].join('\n'),
  );
  const daemon = await startDaemon({
    name: 'containerd',
    command: toolPath('containerd'),
    args: ['--config', configPath],
    logFile: join(workDir, 'containerd.log'),
    ready: async () => (await ctr(socket, ['version'])).code === 0,
  });
  return { socket, stop: () => daemon.stop(), logs: () => daemon.logs() };
}
