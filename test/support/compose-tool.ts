import { spawnSync } from 'node:child_process';

/** How to run Compose here: the docker CLI plugin when present, else Debian's docker-compose; null when neither. */
export function findComposeCommand(): string[] | null {
  for (const candidate of [['docker', 'compose'], ['docker-compose']]) {
    const [command, ...args] = candidate as [string, ...string[]];
    const probe = spawnSync(command, [...args, 'version'], { encoding: 'utf8', timeout: 30_000 });
    if (probe.status === 0) return candidate;
  }
  return null;
}
