import { openPostgresDatabase } from '../../../src/adapters/store/postgres-database.js';
import { migrate } from '../../../src/adapters/store/migrator.js';
import { SqlDeployTokenChangeFeed } from '../../../src/adapters/store/sql-deploy-token-change-feed.js';
import { SqlDeployTokenStore } from '../../../src/adapters/store/sql-deploy-token-store.js';
import { createPostgresTestSchema, postgresAvailable, TEST_DATABASE_URL, type PostgresTestSchema } from '../../support/postgres.js';
import { RecordingLogger } from '../../support/recording-logger.js';
import { TcpProxy } from '../../support/tcp-proxy.js';
import { RecordingListener } from './change-feed-contract.js';

const available = await postgresAvailable();

(available ? describe : describe.skip)('the LISTEN connection when PostgreSQL goes away and comes back', () => {
  let schema: PostgresTestSchema;
  let proxy: TcpProxy;

  beforeAll(async () => {
    schema = await createPostgresTestSchema();
    const target = new URL(TEST_DATABASE_URL);
    proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
    await proxy.start();
  });

  afterAll(async () => {
    await proxy?.cut();
    await schema?.drop();
  });

  test('the feed says it is interrupted when the connection drops, and resumed once it is back, then delivers again', async () => {
    const viaProxy = new URL(schema.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const db = openPostgresDatabase({ connectionString: viaProxy.toString(), poolSize: 2, connectTimeoutMs: 2000, queryTimeoutMs: 5000 }, new RecordingLogger());
    const direct = openPostgresDatabase({ connectionString: schema.url, poolSize: 2, connectTimeoutMs: 2000, queryTimeoutMs: 5000 }, new RecordingLogger());
    const listener = new RecordingListener();
    try {
      await migrate(direct);
      const unsubscribe = await new SqlDeployTokenChangeFeed(db).subscribe(listener);
      await listener.until((event) => event === 'resumed');

      await proxy.cut();
      await listener.until((event) => event === 'interrupted');
      await proxy.start();
      await listener.until(() => listener.events.filter((event) => event === 'resumed').length === 2);

      const store = new SqlDeployTokenStore(direct);
      await store.create({
        name: 'after',
        username: 'after-reconnect',
        secretHash: '$2b$04$abcdefghijklmnopqrstuuN3Vj0mGJq9GzQm3QWZ4m5WmYh0Z9q1y',
        repositories: ['team/app'],
        scopes: ['read_registry'],
        expiresAt: null,
        tokenLifetimeSeconds: null,
        createdAt: new Date(),
      });
      await listener.until((event) => event === 'changed:after-reconnect');
      expect(listener.events.slice(0, 3)).toEqual(['resumed', 'interrupted', 'resumed']);

      // A partition: the connection stays open but nothing comes back. The heartbeat notices.
      proxy.freeze();
      await listener.until(() => listener.events.filter((event) => event === 'interrupted').length === 2);
      proxy.thaw();
      await listener.until(() => listener.events.filter((event) => event === 'resumed').length === 3);
      await unsubscribe();
    } finally {
      await db.close();
      await direct.close();
    }
  });
});
