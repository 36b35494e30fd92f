import type { KeySummary } from './signing-key-summary.js';

export type RegistryBundleState =
  | { readonly kind: 'handover-due'; readonly keyId: string; readonly activatesAt: string }
  | { readonly kind: 'current'; readonly keyId: string | null };

/**
 * A registry reads its bundle only at start, so a key that is scheduled but not yet signing is the one moment
 * the registry's bundle must be replaced (and the registry restarted) before that key's activation.
 */
export function registryBundleState(keys: readonly KeySummary[]): RegistryBundleState {
  const next = keys.filter((key) => key.status === 'next').sort((a, b) => a.activatesAt.localeCompare(b.activatesAt))[0];
  if (next !== undefined) return { kind: 'handover-due', keyId: next.keyId, activatesAt: next.activatesAt };
  return { kind: 'current', keyId: keys.find((key) => key.status === 'signing')?.keyId ?? null };
}
