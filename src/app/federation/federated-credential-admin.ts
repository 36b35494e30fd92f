import type { Actor } from '../deploy-token-admin.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../deploy-token-admin.js';
import type { AuditTrail } from '../audit-trail.js';
import { InvalidInputError } from '../errors.js';
import type { Clock } from '../ports.js';
import { failClosed } from '../unavailable.js';
import { FederatedCredentialNotFoundError } from './federated-credential-errors.js';
import type { FederatedCredentialUseRecorder } from './federated-credential-use-recorder.js';
import { federatedCredentialViewOf, type FederatedCredentialView } from './federated-credential-view.js';
import type { FederatedCredential, FederatedCredentialStore } from './federation-ports.js';

export const FEDERATED_CREDENTIAL_STATUSES = ['active', 'expired', 'revoked'] as const;

export interface ListFederatedCredentialsInput {
  readonly status?: (typeof FEDERATED_CREDENTIAL_STATUSES)[number] | undefined;
  readonly limit?: number | undefined;
  /** The `next` of the previous page. */
  readonly after?: number | undefined;
}

export interface FederatedCredentialPage {
  readonly items: FederatedCredentialView[];
  /** Pass as `after` for the next page; null on the last. */
  readonly next: number | null;
}

/** What the CLI and the admin API can do with minted credentials: see them, and end one at once. */
export interface FederatedCredentialAdmin {
  list(input?: ListFederatedCredentialsInput): Promise<FederatedCredentialPage>;
  get(reference: string): Promise<FederatedCredentialView>;
  /** It stops working on every replica at the next request: logins with it are never cached. */
  revoke(reference: string, by?: Actor): Promise<FederatedCredentialView>;
}

export interface FederatedCredentialAdminDeps {
  readonly store: FederatedCredentialStore;
  readonly clock: Clock;
  readonly audit: AuditTrail;
  /** Last-use times collected by this process, written before a list so it shows them. */
  readonly pendingUses?: FederatedCredentialUseRecorder;
}

const NUMERIC_ID = /^[1-9][0-9]{0,14}$/;
const DEFAULT_ACTOR: Actor = { actor: 'cli' };

export class StoreFederatedCredentialAdmin implements FederatedCredentialAdmin {
  private readonly deps: FederatedCredentialAdminDeps;

  constructor(deps: FederatedCredentialAdminDeps) {
    // A failing database is a 503 at the admin API, never a 500 or a half-answer.
    this.deps = { ...deps, store: failClosed('store', deps.store) };
  }

  async list(input: ListFederatedCredentialsInput = {}): Promise<FederatedCredentialPage> {
    const now = this.deps.clock.now();
    const limit = pageSize(input.limit);
    await this.deps.pendingUses?.flush();
    const credentials = await this.deps.store.list({
      now,
      limit,
      ...(input.status === undefined ? {} : { status: input.status }),
      ...(input.after === undefined ? {} : { afterId: input.after }),
    });
    const last = credentials.at(-1);
    return {
      items: credentials.map((credential) => federatedCredentialViewOf(credential, now)),
      next: credentials.length === limit && last !== undefined ? last.id : null,
    };
  }

  async get(reference: string): Promise<FederatedCredentialView> {
    return federatedCredentialViewOf(await this.find(reference), this.deps.clock.now());
  }

  async revoke(reference: string, by: Actor = DEFAULT_ACTOR): Promise<FederatedCredentialView> {
    const now = this.deps.clock.now();
    const revoked = await this.deps.store.revoke((await this.find(reference)).id, now);
    if (revoked === null) throw new FederatedCredentialNotFoundError(reference);
    await this.deps.audit.recordDurably({
      occurredAt: now,
      event: 'federated_credential.revoked',
      actor: by.actor,
      deployTokenId: null,
      username: revoked.username,
      clientIp: by.clientIp ?? null,
      details: {
        federatedCredentialId: revoked.id,
        issuerId: revoked.issuerId,
        policyId: revoked.policyId,
        subject: revoked.subject,
        claims: revoked.claims,
      },
    });
    return federatedCredentialViewOf(revoked, now);
  }

  /** By id (`12`) or username (`oidc-12`). */
  private async find(reference: string): Promise<FederatedCredential> {
    const found = NUMERIC_ID.test(reference)
      ? await this.deps.store.findById(Number(reference))
      : await this.deps.store.findByUsername(reference);
    if (found === null) throw new FederatedCredentialNotFoundError(reference);
    return found;
  }
}

function pageSize(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new InvalidInputError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  return limit;
}
