import type { AdminKeyView, CreatedAdminKey } from '../../app/admin-keys.js';
import type {
  AuditPage,
  AuditQueryInput,
  CreateDeployTokenInput,
  CreatedDeployToken,
  DeployTokenAdmin,
  DeployTokenPage,
  ExtendDeployTokenInput,
  ListDeployTokensInput,
  UpdateDeployTokenInput,
} from '../../app/deploy-token-admin.js';
import type { DeployTokenView } from '../../app/deploy-token-view.js';
import { testRepositoryPatterns, type PatternTestInput, type PatternTestResult } from '../../app/pattern-test.js';
import type { RefreshTokenView } from '../../app/refresh-token-view.js';
import { callControlSocket } from './control-client.js';

/** The admin use cases carried out by the running server that holds the embedded store. */
export class RemoteDeployTokenAdmin implements DeployTokenAdmin {
  constructor(private readonly socketPath: string) {}

  create(input: CreateDeployTokenInput): Promise<CreatedDeployToken> {
    return this.call('POST', '/api/v1/deploy-tokens', input);
  }

  list(input: ListDeployTokensInput = {}): Promise<DeployTokenPage> {
    return this.call('GET', `/api/v1/deploy-tokens${queryString(input)}`);
  }

  async count(input: ListDeployTokensInput = {}): Promise<number> {
    const { sort: _sort, offset: _offset, after: _after, ...filters } = input;
    return (await this.list({ ...filters, limit: 1 })).total;
  }

  get(reference: string): Promise<DeployTokenView> {
    return this.call('GET', tokenPath(reference));
  }

  update(reference: string, input: UpdateDeployTokenInput): Promise<DeployTokenView> {
    return this.call('PATCH', tokenPath(reference), input);
  }

  extend(reference: string, input: ExtendDeployTokenInput): Promise<DeployTokenView> {
    return this.call('POST', `${tokenPath(reference)}/extend`, input);
  }

  /** Nothing is stored, so nothing needs the server. */
  async testPatterns(input: PatternTestInput): Promise<PatternTestResult> {
    return testRepositoryPatterns(input);
  }

  revoke(reference: string): Promise<DeployTokenView> {
    return this.call('POST', `${tokenPath(reference)}/revoke`);
  }

  rotate(reference: string): Promise<CreatedDeployToken> {
    return this.call('POST', `${tokenPath(reference)}/rotate`);
  }

  async listRefreshTokens(reference: string): Promise<RefreshTokenView[]> {
    const { items } = await this.call<{ items: RefreshTokenView[] }>('GET', `${tokenPath(reference)}/refresh-tokens`);
    return items;
  }

  revokeRefreshToken(reference: string, refreshTokenId: string): Promise<RefreshTokenView> {
    return this.call('POST', `${tokenPath(reference)}/refresh-tokens/${encodeURIComponent(refreshTokenId)}/revoke`);
  }

  audit(input: AuditQueryInput = {}): Promise<AuditPage> {
    return this.call('GET', `/api/v1/audit-events${queryString(input)}`);
  }

  createAdminKey(name: string): Promise<CreatedAdminKey> {
    return this.call('POST', '/control/admin-keys', { name });
  }

  listAdminKeys(): Promise<AdminKeyView[]> {
    return this.call('GET', '/control/admin-keys');
  }

  revokeAdminKey(id: number): Promise<AdminKeyView> {
    return this.call('POST', `/control/admin-keys/${id}/revoke`);
  }

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return callControlSocket(this.socketPath, method, path, body);
  }
}

function tokenPath(reference: string): string {
  return `/api/v1/deploy-tokens/${encodeURIComponent(reference)}`;
}

function queryString(input: object): string {
  const entries = Object.entries(input).filter(([, value]) => value !== undefined) as [string, string | number][];
  return entries.length === 0 ? '' : `?${new URLSearchParams(entries.map(([key, value]): [string, string] => [key, String(value)])).toString()}`;
}
