import { readFile } from 'node:fs/promises';
import type { Clock } from '../../app/ports.js';
import type { SigningAlgorithm } from '../../core/registry-jwk.js';
import { generateSigningKey, writeRegistryFiles } from './key-directory.js';
import type { KeyRing } from './key-ring.js';
import type { SigningKey } from './signing-key.js';

export interface SigningKeyFolderSettings {
  readonly dir: string;
  readonly algorithm: SigningAlgorithm;
  readonly bundlePath: string;
  readonly jwksPath: string;
}

/** What the web UI does with the keys folder: what `regauth keys rotate` does, and the registry's two files. */
export interface SigningKeyFolder {
  /** Adds a key that signs from `now + delayMs`, publishes it in the bundle and JWKS file, and reloads the ring. */
  rotate(delayMs: number): Promise<SigningKey>;
  bundle(): Promise<string>;
  jwks(): Promise<string>;
}

export function signingKeyFolder(settings: SigningKeyFolderSettings, keyRing: KeyRing, clock: Clock): SigningKeyFolder {
  const paths = { bundlePath: settings.bundlePath, jwksPath: settings.jwksPath };
  return {
    rotate: async (delayMs) => {
      const now = clock.now();
      const key = await generateSigningKey(settings.dir, now, { activatesAt: new Date(now.getTime() + delayMs), algorithm: settings.algorithm });
      await writeRegistryFiles(settings.dir, paths, now, { tolerateReadOnly: false });
      await keyRing.refresh();
      return key;
    },
    bundle: () => readFile(settings.bundlePath, 'utf8'),
    jwks: () => readFile(settings.jwksPath, 'utf8'),
  };
}
