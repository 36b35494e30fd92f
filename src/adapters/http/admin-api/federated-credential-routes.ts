import type { FederatedCredentialAdmin, ListFederatedCredentialsInput } from '../../../app/federation/federated-credential-admin.js';
import type { AdminRoute } from './admin-api-routes.js';
import { federatedCredentialPageSchema, federatedCredentialSchema, listFederatedCredentialsQuery } from './federated-credential-schemas.js';

/** Minted (federated) credentials: listed, looked at, and revoked at once. */
export const FEDERATED_CREDENTIAL_ROUTES: readonly AdminRoute<FederatedCredentialAdmin>[] = [
  {
    method: 'get',
    path: '/federated-credentials',
    operationId: 'listFederatedCredentials',
    summary: 'List credentials minted from identity tokens, oldest first, a page at a time',
    query: listFederatedCredentialsQuery,
    status: 200,
    response: federatedCredentialPageSchema,
    handle: (admin, { query }) => admin.list(query as ListFederatedCredentialsInput),
  },
  {
    method: 'get',
    path: '/federated-credentials/:credential',
    operationId: 'getFederatedCredential',
    summary: 'Get a minted credential by id or username',
    status: 200,
    response: federatedCredentialSchema,
    handle: (admin, { params }) => admin.get(params.credential ?? ''),
  },
  {
    method: 'post',
    path: '/federated-credentials/:credential/revoke',
    operationId: 'revokeFederatedCredential',
    summary: 'Revoke a minted credential: it and its refresh token stop working at once, on every replica',
    status: 200,
    response: federatedCredentialSchema,
    handle: (admin, { params, actor }) => admin.revoke(params.credential ?? '', actor),
  },
];
