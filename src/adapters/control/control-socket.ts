import { join } from 'node:path';

/** The CLI reaches a server that holds the embedded store through this socket, readable by its owner only. */
export function controlSocketPath(dataDir: string): string {
  return join(dataDir, 'regauth.sock');
}
