const EVERY_INTERFACE = new Set(['0.0.0.0', '::', '']);
const LOOPBACK = new Set(['localhost', '::1']);

/** Who can reach a server listening on `host`, in words for its start-up line. */
export function reachableFrom(host: string): string {
  if (EVERY_INTERFACE.has(host)) return 'every network interface: other machines can reach the token endpoint, the admin API and metrics';
  if (LOOPBACK.has(host) || host.startsWith('127.')) return 'this machine only (loopback)';
  return `the interface with address ${host} only`;
}

export function listensOnEveryInterface(host: string): boolean {
  return EVERY_INTERFACE.has(host);
}
