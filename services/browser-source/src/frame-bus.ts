import type { Logger, PubSub } from '@waddlebot/core';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';

/** The one channel replicas share (core-and-admin §2.4), on Redis or PostgreSQL alike. */
export const FANOUT_CHANNEL = 'browser_source';
/** NOTIFY payloads are limited to 8000 bytes; bigger frames travel as a history id. */
export const MAX_INLINE_FRAME_BYTES = 7 * 1024;

export type BusMessage =
  | {
      kind: 'display';
      origin: string;
      community_id: number;
      source_type: string;
      frame?: Record<string, unknown>;
      history_id?: number;
    }
  /** A regenerated or deleted token: replicas close sockets opened with it (by digest, never the token). */
  | { kind: 'revoke'; origin: string; token_sha256: string };

export interface FrameBus {
  publish(message: BusMessage): Promise<void>;
  subscribe(handler: (message: BusMessage) => void): Promise<() => Promise<void>>;
}

function parse(raw: string, logger: Logger): BusMessage | undefined {
  try {
    const msg = JSON.parse(raw) as BusMessage;
    if (msg && (msg.kind === 'display' || msg.kind === 'revoke')) return msg;
  } catch {
    // fall through to the warning
  }
  logger.warn('ignored malformed fan-out message');
  return undefined;
}

/** Redis pub/sub (REDIS_URL) or the in-process bus of the embedded default. */
export function stateBus(pubsub: PubSub, logger: Logger): FrameBus {
  return {
    publish: (message) => pubsub.publish(FANOUT_CHANNEL, JSON.stringify(message)),
    subscribe: (handler) =>
      pubsub.subscribe(FANOUT_CHANNEL, (raw) => {
        const msg = parse(raw, logger);
        if (msg) handler(msg);
      }),
  };
}

/**
 * PostgreSQL LISTEN/NOTIFY for replicas that share a database but no Redis. NOTIFY goes through
 * the service's pool; LISTEN needs a connection of its own, re-opened after it drops.
 */
export function postgresBus(
  db: Kysely<any>,
  databaseUrl: string,
  logger: Logger,
  reconnectMs = 5000,
): FrameBus {
  return {
    async publish(message) {
      await sql`select pg_notify(${FANOUT_CHANNEL}, ${JSON.stringify(message)})`.execute(db);
    },
    async subscribe(handler) {
      let client: pg.Client | undefined;
      let stopped = false;
      let retry: NodeJS.Timeout | undefined;
      const connect = async () => {
        const c = new pg.Client({ connectionString: databaseUrl });
        c.on('notification', (n) => {
          if (n.channel !== FANOUT_CHANNEL || !n.payload) return;
          const msg = parse(n.payload, logger);
          if (msg) handler(msg);
        });
        c.on('error', () => {
          logger.warn('fan-out LISTEN connection lost; reconnecting');
          c.end().catch(() => undefined);
          if (client === c) client = undefined;
          scheduleReconnect();
        });
        await c.connect();
        await c.query(`LISTEN ${FANOUT_CHANNEL}`);
        client = c;
      };
      const scheduleReconnect = () => {
        if (stopped || retry) return;
        retry = setTimeout(() => {
          retry = undefined;
          connect().catch(() => scheduleReconnect());
        }, reconnectMs);
        retry.unref();
      };
      await connect();
      return async () => {
        stopped = true;
        if (retry) clearTimeout(retry);
        await client?.end().catch(() => undefined);
      };
    },
  };
}
