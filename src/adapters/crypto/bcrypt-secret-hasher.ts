import bcrypt from 'bcryptjs';
import type { SecretHasher } from '../../app/ports.js';

export class BcryptSecretHasher implements SecretHasher {
  constructor(private readonly cost: number) {}

  hash(secret: string): Promise<string> {
    return bcrypt.hash(secret, this.cost);
  }

  verify(secret: string, hash: string): Promise<boolean> {
    return bcrypt.compare(secret, hash);
  }
}
