import pg from 'pg';
import type { Logger } from '../../app/ports.js';
import type { NotificationListener } from './sql-database.js';

const RECONNECT_DELAY_MS = 500;
// A partition can leave the connection open and silent, delivering nothing: a query every second that must
// be answered within one tells a live subscription from a dead one within about two seconds.
const HEARTBEAT_MS = 1_000;

/**
 * LISTEN on one dedicated connection (never a pooled one: the pool would hand it to queries and drop the
 * subscription). When the connection fails or stops answering it reconnects every half second until
 * stopped, telling the listener when it is down and up again.
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
  let heartbeat: NodeJS.Timeout | null = null;

  const connect = async (): Promise<void> => {
    const attempt = new pg.Client({ ...connection, query_timeout: HEARTBEAT_MS });
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
    startHeartbeat(attempt);
    listener.connected();
  };

  const startHeartbeat = (listening: pg.Client): void => {
    let answered = true;
    heartbeat = setInterval(() => {
      if (!answered) return;
      answered = false;
      listening.query('SELECT 1').then(
        () => (answered = true),
        (error: Error) => lost(listening, error),
      );
    }, HEARTBEAT_MS);
    heartbeat.unref();
  };

  const lost = (failed: pg.Client, error: Error): void => {
    if (client !== failed || stopped) return;
    client = null;
    if (heartbeat !== null) clearInterval(heartbeat);
    heartbeat = null;
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
    if (heartbeat !== null) clearInterval(heartbeat);
    const current = client;
    client = null;
    await current?.end().catch(() => undefined);
  };
}
