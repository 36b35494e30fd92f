import { request as httpRequest } from 'node:http';
import type { CreateDeployTokenInput, CreatedDeployToken, DeployTokenAdmin } from '../../app/deploy-token-admin.js';
import type { DeployTokenView } from '../../app/deploy-token-view.js';
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

/** DeployTokenAdmin carried out by the running server that holds the embedded store. */
export class RemoteDeployTokenAdmin implements DeployTokenAdmin {
  constructor(private readonly socketPath: string) {}

  create(input: CreateDeployTokenInput): Promise<CreatedDeployToken> {
    return this.call('POST', '/v1/deploy-tokens', input);
  }

  list(): Promise<DeployTokenView[]> {
    return this.call('GET', '/v1/deploy-tokens');
  }

  revoke(reference: string): Promise<DeployTokenView> {
    return this.call('POST', `/v1/deploy-tokens/${encodeURIComponent(reference)}/revoke`);
  }

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const request = httpRequest(
        {
          socketPath: this.socketPath,
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
      request.on('error', (error) =>
        reject(new Error(`cannot reach the running regauth server at ${this.socketPath}: ${error.message}`)),
      );
      request.end(payload);
    });
  }
}
