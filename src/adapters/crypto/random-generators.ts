import { randomBytes, randomUUID } from 'node:crypto';
import type { IdGenerator, SecretGenerator } from '../../app/ports.js';
import { composeSecret, SECRET_RANDOM_LENGTH } from '../../core/deploy-token-secret.js';

export const randomSecretGenerator: SecretGenerator = {
  generate: () => composeSecret(randomBytes(SECRET_RANDOM_LENGTH)),
};

export const randomJwtIds: IdGenerator = {
  next: () => randomUUID(),
};
