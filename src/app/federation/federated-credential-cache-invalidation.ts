import type { FederatedCredential, FederatedCredentialCache, FederatedCredentialStore } from './federation-ports.js';

/**
 * The minted-credential store as this replica's admin use cases write through it: a revocation forgets the
 * username before it returns, so it holds for the very next request here, before the notification comes round.
 */
export function forgettingRevocations(store: FederatedCredentialStore, cache: FederatedCredentialCache): FederatedCredentialStore {
  const forgetting = async (write: Promise<FederatedCredential | null>): Promise<FederatedCredential | null> => {
    const credential = await write;
    if (credential !== null) cache.forget(credential.username);
    return credential;
  };
  return {
    mintOnce: (use, credential) => store.mintOnce(use, credential),
    mintIdempotent: (use, build, reissue) => store.mintIdempotent(use, build, reissue),
    findById: (id) => store.findById(id),
    findByUsername: (username) => store.findByUsername(username),
    findByPasswordDigest: (digest) => store.findByPasswordDigest(digest),
    findByRefreshTokenDigest: (digest) => store.findByRefreshTokenDigest(digest),
    setRefreshTokenDigest: (id, digest) => store.setRefreshTokenDigest(id, digest),
    list: (query) => store.list(query),
    revoke: (id, at) => forgetting(store.revoke(id, at)),
    recordUses: (uses) => store.recordUses(uses),
    deleteExpiredUses: (now, limit) => store.deleteExpiredUses(now, limit),
    deleteExpiredCredentials: (cutoff, limit) => store.deleteExpiredCredentials(cutoff, limit),
  };
}
