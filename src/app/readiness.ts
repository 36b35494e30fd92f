import type { DeployTokenStore, RegistryTokenSigner } from './ports.js';

export interface Readiness {
  readonly ready: boolean;
  readonly checks: { readonly store: 'ok' | 'unavailable'; readonly signingKey: 'ok' | 'unavailable' };
}

export async function checkReadiness(
  store: Pick<DeployTokenStore, 'ping'>,
  signer: RegistryTokenSigner | null,
): Promise<Readiness> {
  const storeOk = await store.ping().then(
    () => true,
    () => false,
  );
  const keyOk = signer !== null;
  return {
    ready: storeOk && keyOk,
    checks: { store: storeOk ? 'ok' : 'unavailable', signingKey: keyOk ? 'ok' : 'unavailable' },
  };
}
