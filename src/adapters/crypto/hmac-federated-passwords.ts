import { createHmac, createSecretKey, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { FederatedPasswords, PasswordDerivation, ServiceSecretStore } from '../../app/federation/federation-ports.js';
import { CHECKSUMMED_RANDOM_LENGTH } from '../../core/checksummed-secret.js';
import { composeFederatedPassword } from '../../core/federation/federated-password.js';

/** The name of the shared key in `service_secrets`. */
export const FEDERATED_PASSWORD_KEY_NAME = 'federated_credential_password_key';

/** Two keys from the one stored, so a derived password can never be another password's digest. */
const DIGEST_LABEL = 'regauth federated credential password digest';
const DERIVATION_LABEL = 'regauth federated credential password derivation';

interface DerivedKeys {
  readonly digest: KeyObject;
  readonly derivation: KeyObject;
}

/**
 * Minted passwords and their HMAC-SHA256 digests. A password is 190 random bits (or, for an idempotent
 * issuer, bits derived from the identity token), so a keyed hash looked up directly is as strong as bcrypt
 * would be and costs microseconds. The key is in the database (made on first use by whichever replica comes
 * first), read once per process: every replica computes the same digest, and restarts change nothing.
 */
export class HmacFederatedPasswords implements FederatedPasswords {
  private keys: Promise<DerivedKeys> | null = null;

  constructor(private readonly secrets: ServiceSecretStore) {}

  random(): string {
    return composeFederatedPassword(randomBytes(CHECKSUMMED_RANDOM_LENGTH));
  }

  async derived(from: PasswordDerivation): Promise<string> {
    const { derivation } = await this.loadKeys();
    const input = [String(from.issuerId), from.jwtId, from.tokenDigest, String(from.mint)].map(lengthPrefixed).join('');
    return composeFederatedPassword(createHmac('sha256', derivation).update(input, 'utf8').digest());
  }

  async digest(password: string): Promise<string> {
    const { digest } = await this.loadKeys();
    return createHmac('sha256', digest).update(password, 'utf8').digest('hex');
  }

  digestsEqual(a: string, b: string): boolean {
    const left = Buffer.from(a, 'utf8');
    const right = Buffer.from(b, 'utf8');
    return left.length === right.length && timingSafeEqual(left, right);
  }

  /** Read once; a failed read (the database down) is tried again by the next caller. */
  private loadKeys(): Promise<DerivedKeys> {
    this.keys ??= this.secrets
      .getOrCreate(FEDERATED_PASSWORD_KEY_NAME, () => randomBytes(32).toString('base64url'))
      .then((stored) => {
        const master = Buffer.from(stored, 'base64url');
        return {
          digest: createSecretKey(createHmac('sha256', master).update(DIGEST_LABEL).digest()),
          derivation: createSecretKey(createHmac('sha256', master).update(DERIVATION_LABEL).digest()),
        };
      })
      .catch((error: unknown) => {
        this.keys = null;
        throw error;
      });
    return this.keys;
  }
}

/** `<length>:<text>`: no jti can shift bytes into the digest's field and collide with another input. */
function lengthPrefixed(text: string): string {
  return `${text.length}:${text}`;
}
