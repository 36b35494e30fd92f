import { ADMIN_KEY_PREFIX, isWellFormedOpaqueToken } from '../core/opaque-token.js';
import type { AuditTrail } from './audit-trail.js';
import { parseDisplayName } from './display-name.js';
import { AdminKeyNotFoundError, InvalidAdminKeyError } from './errors.js';
import type { AdminKey, AdminKeyStore, Clock, OpaqueTokens } from './ports.js';
import { failClosed } from './unavailable.js';

export interface AdminKeyView {
  readonly id: number;
  readonly name: string;
  readonly status: 'active' | 'revoked';
  readonly createdAt: string;
  readonly revokedAt: string | null;
  readonly lastUsedAt: string | null;
}

export interface CreatedAdminKey {
  readonly adminKey: AdminKeyView;
  /** Shown once: only its digest is stored. */
  readonly key: string;
}

export interface AdminKeysDeps {
  readonly store: AdminKeyStore;
  readonly tokens: OpaqueTokens;
  readonly clock: Clock;
  readonly audit: AuditTrail;
}

const LAST_USED_RESOLUTION_MS = 60_000;

/** Keys that authenticate callers of the admin API. Made and revoked with the CLI only. */
export class AdminKeys {
  private readonly deps: AdminKeysDeps;

  constructor(deps: AdminKeysDeps) {
    this.deps = { ...deps, store: failClosed('store', deps.store) };
  }

  /** `actor` names who did it in the audit log (the CLI by default). */
  async create(name: string, actor = 'cli'): Promise<CreatedAdminKey> {
    const trimmed = parseDisplayName(name);
    const key = this.deps.tokens.generate(ADMIN_KEY_PREFIX);
    const now = this.deps.clock.now();
    const created = await this.deps.store.create({ name: trimmed, keyHash: this.deps.tokens.digest(key), createdAt: now });
    await this.record('admin_key.created', created, now, actor);
    return { adminKey: adminKeyView(created), key };
  }

  async list(): Promise<AdminKeyView[]> {
    return (await this.deps.store.list()).map(adminKeyView);
  }

  async revoke(id: number, actor = 'cli'): Promise<AdminKeyView> {
    const now = this.deps.clock.now();
    const revoked = await this.deps.store.revoke(id, now);
    if (revoked === null) throw new AdminKeyNotFoundError(id);
    await this.record('admin_key.revoked', revoked, now, actor);
    return adminKeyView(revoked);
  }

  /** The active admin key a bearer string names; a revoked or unknown key is refused alike. */
  async authenticate(key: string): Promise<AdminKey> {
    if (!isWellFormedOpaqueToken(key, ADMIN_KEY_PREFIX)) throw new InvalidAdminKeyError();
    const found = await this.deps.store.findByHash(this.deps.tokens.digest(key));
    if (found === null || found.revokedAt !== null) throw new InvalidAdminKeyError();
    const now = this.deps.clock.now();
    if (now.getTime() - (found.lastUsedAt?.getTime() ?? 0) >= LAST_USED_RESOLUTION_MS) {
      await this.deps.store.markUsed(found.id, now).catch(() => undefined);
    }
    return found;
  }

  private record(event: 'admin_key.created' | 'admin_key.revoked', key: AdminKey, now: Date, actor: string): Promise<void> {
    return this.deps.audit.recordDurably({
      occurredAt: now,
      event,
      actor,
      deployTokenId: null,
      username: null,
      clientIp: null,
      details: { adminKeyId: key.id, name: key.name },
    });
  }
}

export function adminKeyView(key: AdminKey): AdminKeyView {
  return {
    id: key.id,
    name: key.name,
    status: key.revokedAt === null ? 'active' : 'revoked',
    createdAt: key.createdAt.toISOString(),
    revokedAt: key.revokedAt?.toISOString() ?? null,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
  };
}
