import type { Stores } from '../../src/composition-root.js';
import { SqlAdminKeyStore } from '../../src/adapters/store/sql-admin-key-store.js';
import { SqlAuditLog } from '../../src/adapters/store/sql-audit-log.js';
import { SqlDeployTokenStore } from '../../src/adapters/store/sql-deploy-token-store.js';
import { SqlRefreshTokenStore } from '../../src/adapters/store/sql-refresh-token-store.js';
import { SqlTrustedIssuerStore } from '../../src/adapters/store/sql-trusted-issuer-store.js';
import { SqlTrustPolicyStore } from '../../src/adapters/store/sql-trust-policy-store.js';
import type { SqlDatabase } from '../../src/adapters/store/sql-database.js';

/** The error a store call rejects with while broken, as when PostgreSQL goes away. */
export const STORE_DOWN = 'connect ECONNREFUSED 127.0.0.1:5432';

/** A switch shared by every store it wraps. */
export class StoreSwitch {
  broken = false;
}

/**
 * Wraps a store so that, while `toggle.broken`, every method rejects as a lost database connection would;
 * otherwise it calls through. Works for any port (deploy tokens, admin keys, audit log, refresh tokens).
 */
export function breakable<T extends object>(inner: T, toggle: StoreSwitch): T {
  return new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) =>
        toggle.broken ? Promise.reject(new Error(STORE_DOWN)) : (value as (...a: unknown[]) => unknown).apply(target, args);
    },
  });
}

export interface BreakableStores {
  readonly stores: Stores;
  /** One switch per store, to break only part of the database (say, everything but the admin keys). */
  readonly switches: { readonly [K in keyof Stores]: StoreSwitch };
  /** Breaks (or mends) every store at once. */
  setBroken(broken: boolean): void;
}

/** Every store over one SQL database, each breakable on its own. */
export function breakableStoresOver(db: SqlDatabase): BreakableStores {
  const switches = { store: new StoreSwitch(), refreshTokens: new StoreSwitch(), adminKeys: new StoreSwitch(), auditLog: new StoreSwitch(),
    trustedIssuers: new StoreSwitch(),
    trustPolicies: new StoreSwitch(),
  };
  return {
    stores: {
      store: breakable(new SqlDeployTokenStore(db), switches.store),
      refreshTokens: breakable(new SqlRefreshTokenStore(db), switches.refreshTokens),
      adminKeys: breakable(new SqlAdminKeyStore(db), switches.adminKeys),
      auditLog: breakable(new SqlAuditLog(db), switches.auditLog),
      trustedIssuers: breakable(new SqlTrustedIssuerStore(db), switches.trustedIssuers),
      trustPolicies: breakable(new SqlTrustPolicyStore(db), switches.trustPolicies),
    },
    switches,
    setBroken(broken) {
      for (const toggle of Object.values(switches)) toggle.broken = broken;
    },
  };
}
