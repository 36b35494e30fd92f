import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';

export interface TlsFiles {
  readonly certFile: string | null;
  readonly keyFile: string | null;
}

/** PEM certificate chain and private key for the HTTPS listener. */
export interface TlsCredentials {
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** The TLS certificate or key is missing, unreadable or unusable: regauth refuses to start. */
export class TlsSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TlsSetupError';
  }
}

/** Reads and checks the configured certificate and key; null when TLS is not configured. */
export async function loadTlsCredentials(files: TlsFiles): Promise<TlsCredentials | null> {
  if (files.certFile === null || files.keyFile === null) return null;
  const cert = await readTlsFile(files.certFile, 'certificate (server.tls.certFile)');
  const key = await readTlsFile(files.keyFile, 'private key (server.tls.keyFile)');
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new TlsSetupError(
      `cannot use the TLS certificate ${files.certFile} with the key ${files.keyFile}: ${(error as Error).message}`,
    );
  }
  return { cert, key };
}

async function readTlsFile(path: string, what: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    throw new TlsSetupError(`cannot read the TLS ${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
