import type { DeployToken } from '../core/deploy-token.js';
import type { CredentialCache, DeployTokenChangeFeed, DeployTokenStore } from './ports.js';

/**
 * Keeps a credential cache (the deploy tokens', or the minted credentials' with their feed) true to the
 * store: a change seen on the feed, from any replica, forgets that username; while the feed is down changes could go unseen, so the cache answers nothing until it is back.
 */
export function forgetOnChanges(
  feed: DeployTokenChangeFeed,
  cache: Pick<CredentialCache, 'forget' | 'suspend' | 'resume'>,
): Promise<() => Promise<void>> {
  cache.suspend();
  return feed.subscribe({
    changed: (username) => cache.forget(username),
    interrupted: () => cache.suspend(),
    resumed: () => cache.resume(),
  });
}

/**
 * The deploy-token store as the admin use cases on this replica write through it: each write forgets its
 * username before it returns, so the change holds for the very next request here, before the
 * notification comes round.
 */
export function forgettingWrites(store: DeployTokenStore, cache: CredentialCache): DeployTokenStore {
  const forgetting = async (write: Promise<DeployToken | null>): Promise<DeployToken | null> => {
    const token = await write;
    if (token !== null) cache.forget(token.username);
    return token;
  };
  return {
    create: async (token) => {
      const created = await store.create(token);
      cache.forget(created.username);
      return created;
    },
    findById: (id) => store.findById(id),
    findByUsername: (username) => store.findByUsername(username),
    search: (query) => store.search(query),
    listPatterns: (filter, sort) => store.listPatterns(filter, sort),
    update: (id, changes, at) => forgetting(store.update(id, changes, at)),
    rotateSecret: (id, secretHash, at, by) => forgetting(store.rotateSecret(id, secretHash, at, by)),
    revoke: (id, at) => forgetting(store.revoke(id, at)),
    recordUses: (uses) => store.recordUses(uses),
    ping: () => store.ping(),
  };
}
