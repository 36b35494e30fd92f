import type { DeployToken, RegistryScope } from '../core/deploy-token.js';
import type { RegistryTokenClaims } from '../core/registry-claims.js';

export interface NewDeployToken {
  readonly name: string;
  /** Null asks the store for a generated `deploy-token-<id>`. */
  readonly username: string | null;
  readonly secretHash: string;
  readonly repositories: readonly string[];
  readonly scopes: readonly RegistryScope[];
  readonly expiresAt: Date | null;
  readonly createdAt: Date;
}

/** Persistence of deploy tokens. `create` throws UsernameTakenError when the username exists. */
export interface DeployTokenStore {
  create(token: NewDeployToken): Promise<DeployToken>;
  findById(id: number): Promise<DeployToken | null>;
  findByUsername(username: string): Promise<DeployToken | null>;
  list(): Promise<DeployToken[]>;
  /** Marks the token revoked at `at` unless it already is; null when no such token exists. */
  revoke(id: number, at: Date): Promise<DeployToken | null>;
  markUsed(id: number, at: Date): Promise<void>;
  /** Resolves when the store answers a query. */
  ping(): Promise<void>;
}

export interface SecretHasher {
  hash(secret: string): Promise<string>;
  verify(secret: string, hash: string): Promise<boolean>;
}

export interface SecretGenerator {
  generate(): string;
}

export interface RegistryTokenSigner {
  readonly keyId: string;
  sign(claims: RegistryTokenClaims): Promise<string>;
}

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  next(): string;
}

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}
