import { z } from 'zod';
import { FEDERATED_CREDENTIAL_STATUSES } from '../../../app/federation/federated-credential-admin.js';
import { REGISTRY_SCOPES } from '../../../core/deploy-token.js';

const timestamp = z.string().describe('RFC 3339 time');

export const listFederatedCredentialsQuery = z
  .object({
    status: z.enum(FEDERATED_CREDENTIAL_STATUSES).optional(),
    limit: z.coerce.number().int().min(1).max(1_000).optional().describe('Items per page (default 100)'),
    after: z.coerce.number().int().min(1).optional().describe('`next` of the previous page'),
  })
  .strict();

export const federatedCredentialSchema = z
  .object({
    id: z.number().int(),
    username: z.string().describe('oidc-<id>: the username to log in with'),
    issuerId: z.number().int().describe('The trusted issuer whose identity token it was minted from'),
    policyId: z.number().int().describe('The trust policy that granted it'),
    subject: z.string().describe("The identity token's sub"),
    repositories: z.array(z.string()).describe('What the policy granted when it was minted'),
    scopes: z.array(z.enum(REGISTRY_SCOPES)),
    claims: z.record(z.string(), z.string()).describe('The non-secret claims kept for audit (repository, ref, run id, namespace…)'),
    status: z.enum(FEDERATED_CREDENTIAL_STATUSES),
    createdAt: timestamp,
    expiresAt: timestamp,
    revokedAt: timestamp.nullable(),
    lastUsedAt: timestamp.nullable().describe('Recorded to the minute'),
  })
  .strict();

export const federatedCredentialPageSchema = z
  .object({ items: z.array(federatedCredentialSchema), next: z.number().int().nullable() })
  .strict();
