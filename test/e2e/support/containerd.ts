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

export interface ContainerdOptions {
  /**
   * Node-level registry credentials of the CRI plugin (`registry.configs."HOST".auth`), used by a CRI
   * PullImage that carries no AuthConfig, by registry host ("127.0.0.1:5000").
   */
  criRegistryAuth?: Record<string, { username?: string; password?: string; auth?: string; identitytoken?: string }>;
}

export async function startContainerd(workDir: string, options: ContainerdOptions = {}): Promise<RunningContainerd> {
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
      // The built-in CRI plugin (what the kubelet talks to): the snapshotter that works anywhere, and CNI
      // folders of its own so the host's /etc/cni stays out. Pods cannot run without CNI; images still pull.
      '[plugins."io.containerd.grpc.v1.cri".containerd]',
      '  snapshotter = "native"',
      '[plugins."io.containerd.grpc.v1.cri".cni]',
      `  bin_dir = ${JSON.stringify(join(workDir, 'cni', 'bin'))}`,
      `  conf_dir = ${JSON.stringify(join(workDir, 'cni', 'conf'))}`,
      ...Object.entries(options.criRegistryAuth ?? {}).flatMap(([host, auth]) => [
        `[plugins."io.containerd.grpc.v1.cri".registry.configs.${JSON.stringify(host)}.auth]`,
        ...Object.entries(auth).map(([key, value]) => `  ${key} = ${JSON.stringify(value)}`),
      ]),
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
