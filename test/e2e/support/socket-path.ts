// sockaddr_un.sun_path holds 108 bytes including the terminating NUL.
const MAX_SOCKET_PATH_BYTES = 107;

export function checkSocketPath(path: string): string {
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) {
    throw new Error(`unix socket path too long (${Buffer.byteLength(path)} bytes, max ${MAX_SOCKET_PATH_BYTES}): ${path}; use a short mkdtemp under /tmp`);
  }
  return path;
}
