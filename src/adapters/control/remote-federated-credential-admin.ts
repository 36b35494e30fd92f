import type {
  FederatedCredentialAdmin,
  FederatedCredentialPage,
  ListFederatedCredentialsInput,
} from '../../app/federation/federated-credential-admin.js';
import type { FederatedCredentialView } from '../../app/federation/federated-credential-view.js';
import { callControlSocket } from './control-client.js';

/** The minted-credential admin carried out by the running server that holds the embedded store. */
export class RemoteFederatedCredentialAdmin implements FederatedCredentialAdmin {
  constructor(private readonly socketPath: string) {}

  list(input: ListFederatedCredentialsInput = {}): Promise<FederatedCredentialPage> {
    const entries = Object.entries(input).filter(([, value]) => value !== undefined).map(([key, value]): [string, string] => [key, String(value)]);
    const query = entries.length === 0 ? '' : `?${new URLSearchParams(entries).toString()}`;
    return callControlSocket(this.socketPath, 'GET', `/api/v1/federated-credentials${query}`);
  }

  get(reference: string): Promise<FederatedCredentialView> {
    return callControlSocket(this.socketPath, 'GET', credentialPath(reference));
  }

  revoke(reference: string): Promise<FederatedCredentialView> {
    return callControlSocket(this.socketPath, 'POST', `${credentialPath(reference)}/revoke`);
  }
}

function credentialPath(reference: string): string {
  return `/api/v1/federated-credentials/${encodeURIComponent(reference)}`;
}
