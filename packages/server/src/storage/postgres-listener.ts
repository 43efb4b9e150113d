import pg from 'pg';

/** What a listener tells its owner. */
export interface NotificationHandlers {
  /** A notification arrived on the channel, with its payload. */
  notify(payload: string): void;
  /**
   * The listener is connected and listening (true), or lost its connection (false). Notifications
   * sent while it was down are lost, so whoever trusts them must distrust what it kept from then.
   */
  live(live: boolean): void;
}

export interface Listener {
  /**
   * Resolves once every notification committed before the call has been handed to `notify`: true
   * then, false when the connection is down (nothing can be promised).
   */
  sync(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * LISTENs on `channel` on a dedicated connection (a pooled one would be handed to queries and its
 * notifications lost). On an error or the end of the connection it says so and connects again
 * after `retryMs`, until closed.
 *
 * `sync` is one round trip on that connection: PostgreSQL signals listeners while a notifying
 * transaction commits and sends what they received before the ReadyForQuery of their next
 * statement, so a statement started after a commit returns after its notifications. Callers
 * waiting together share one round trip; those arriving during one wait for the next.
 */
export function listenForNotifications(
  config: pg.ClientConfig,
  channel: string,
  handlers: NotificationHandlers,
  retryMs = 1000,
): Listener {
  let closed = false;
  let current: pg.Client | null = null;
  let listening: pg.Client | null = null;
  let waiting: ((synced: boolean) => void)[] = [];
  let syncing = false;
  const pump = async () => {
    if (syncing) return;
    syncing = true;
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      const client = listening;
      const synced =
        client !== null &&
        (await client.query('select 1').then(
          () => true,
          () => false,
        ));
      for (const resolve of batch) resolve(synced && listening === client);
    }
    syncing = false;
  };
  let retry: NodeJS.Timeout | undefined;
  const connect = async () => {
    const client = new pg.Client(config);
    current = client;
    let lost = false;
    const lose = () => {
      if (lost) return;
      lost = true;
      if (listening === client) listening = null;
      handlers.live(false);
      client.end().catch(() => {});
      if (!closed) retry = setTimeout(connect, retryMs);
    };
    client.on('error', lose);
    client.on('end', lose);
    client.on('notification', (message) => {
      if (message.payload) handlers.notify(message.payload);
    });
    try {
      await client.connect();
      await client.query(`listen ${pg.escapeIdentifier(channel)}`);
      if (!lost && !closed) {
        listening = client;
        handlers.live(true);
      }
    } catch {
      lose();
    }
  };
  void connect();
  return {
    sync() {
      return new Promise((resolve) => {
        waiting.push(resolve);
        void pump();
      });
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      await current?.end().catch(() => {});
    },
  };
}
