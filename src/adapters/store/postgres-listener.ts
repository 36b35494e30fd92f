import pg from 'pg';
import type { Logger } from '../../app/ports.js';
import type { NotificationListener } from './sql-database.js';

const RECONNECT_DELAY_MS = 500;

/**
 * LISTEN on one dedicated connection (never a pooled one: the pool would hand it to queries and drop the
 * subscription). When the connection fails it reconnects every half second until stopped, telling the
 * listener when it is down and up again.
 */
export async function listenOnPostgres(
  connection: pg.ClientConfig,
  channel: string,
  listener: NotificationListener,
  logger: Logger,
): Promise<() => Promise<void>> {
  let stopped = false;
  let client: pg.Client | null = null;
  let retry: NodeJS.Timeout | null = null;

  const connect = async (): Promise<void> => {
    const attempt = new pg.Client(connection);
    attempt.on('notification', (message) => {
      if (message.channel === channel) listener.notification(message.payload ?? '');
    });
    attempt.on('error', (error) => lost(attempt, error));
    attempt.on('end', () => lost(attempt, new Error('LISTEN connection closed')));
    try {
      await attempt.connect();
      await attempt.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      await attempt.end().catch(() => undefined);
      throw error;
    }
    if (stopped) {
      await attempt.end().catch(() => undefined);
      return;
    }
    client = attempt;
    listener.connected();
  };

  const lost = (failed: pg.Client, error: Error): void => {
    if (client !== failed || stopped) return;
    client = null;
    failed.end().catch(() => undefined);
    logger.warn('lost the PostgreSQL LISTEN connection; reconnecting', { channel, error: error.message });
    listener.disconnected(error);
    scheduleReconnect();
  };

  const scheduleReconnect = (): void => {
    if (stopped || retry !== null) return;
    retry = setTimeout(() => {
      retry = null;
      connect().catch(() => scheduleReconnect());
    }, RECONNECT_DELAY_MS);
    retry.unref();
  };

  try {
    await connect();
  } catch (error) {
    listener.disconnected(error as Error);
    scheduleReconnect();
  }

  return async () => {
    stopped = true;
    if (retry !== null) clearTimeout(retry);
    const current = client;
    client = null;
    await current?.end().catch(() => undefined);
  };
}
