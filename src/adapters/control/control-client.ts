import { request as httpRequest } from 'node:http';
import { RegauthError } from '../../core/regauth-error.js';

export class RemoteAdminError extends RegauthError {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RemoteAdminError';
  }
}

/** One JSON request to the running server's control socket; an error answer rejects with its code and message. */
export function callControlSocket<T>(socketPath: string, method: string, path: string, body?: unknown): Promise<T> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise<T>((resolve, reject) => {
    const request = httpRequest(
      {
        socketPath,
        path,
        method,
        headers: payload === undefined ? {} : { 'content-type': 'application/json' },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          try {
            const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as T & { error?: { code: string; message: string } };
            if ((response.statusCode ?? 500) >= 400) {
              reject(new RemoteAdminError(parsed.error?.code ?? 'internal_error', parsed.error?.message ?? 'request failed'));
            } else {
              resolve(parsed);
            }
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    request.on('error', (error) => reject(new Error(`cannot reach the running regauth server at ${socketPath}: ${error.message}`)));
    request.end(payload);
  });
}
