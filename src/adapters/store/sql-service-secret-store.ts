import type { ServiceSecretStore } from '../../app/federation/federation-ports.js';
import type { SqlDatabase } from './sql-database.js';

/** Service secrets in the database, so every replica and every restart uses the same ones. */
export class SqlServiceSecretStore implements ServiceSecretStore {
  constructor(private readonly db: SqlDatabase) {}

  /** Replicas starting together each offer a value; the first INSERT wins and every one reads it back. */
  async getOrCreate(name: string, generate: () => string): Promise<string> {
    await this.db.query('INSERT INTO service_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, generate()]);
    const [row] = await this.db.query<{ value: string }>('SELECT value FROM service_secrets WHERE name = $1', [name]);
    if (row === undefined) throw new Error(`service secret ${name} vanished after it was stored`);
    return row.value;
  }
}
