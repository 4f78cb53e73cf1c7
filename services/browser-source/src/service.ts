import { defineService, intVar, urlVar, type ServiceDeps } from '@waddlebot/core';
import type { Kysely } from 'kysely';
import { overlayAdminAccess } from './admin-access.js';
import type { BrowserSourceContext } from './browser-source-context.js';
import { communityLookups } from './community-client.js';
import type { BrowserSourceDB } from './db.js';
import { postgresBus, stateBus, type FrameBus } from './frame-bus.js';
import { migrations } from './migrations/index.js';
import { onFanoutMessage, replayFrames } from './overlay-delivery.js';
import { OverlaySockets } from './overlay-sockets.js';
import { purgeExpiredRows } from './retention.js';
import { mountAdminRoutes } from './routes/admin.js';
import { mountDisplayRoute } from './routes/display.js';
import { mountPageRoutes } from './routes/pages.js';
import { findActiveToken } from './tokens.js';
import { youtubeTrackEndForwarder } from './youtube-track-end.js';

/** core-and-admin §2.4: the server pings every 30 s; 300 s without a page ping closes the socket. */
const SWEEP_INTERVAL_MS = 30_000;
const IDLE_TIMEOUT_SECONDS = 300;
const RETENTION_INTERVAL_MS = 3_600_000;

const config = {
  /** Browser-facing origin of overlay URLs and of the pages' socket URL (§2.1, §2.5). */
  BASE_URL: urlVar('http://localhost:8027'),
  TOKEN_LENGTH: intVar(32, { min: 16, max: 48 }),
  MAX_TICKER_LENGTH: intVar(200, { min: 1, max: 5000 }),
  DEFAULT_TICKER_DURATION: intVar(10, { min: 1, max: 86_400 }),
  DEFAULT_MEDIA_DURATION: intVar(30, { min: 0, max: 86_400 }),
  ACCESS_LOG_RETENTION_DAYS: intVar(30, { min: 1, max: 3650 }),
  MAX_CONNECTIONS: intVar(1000, { min: 1, max: 1_000_000 }),
};

type BrowserSourceDeps = ServiceDeps<any, BrowserSourceDB>;

/** Each running instance's context, for start() and for tests that serve the sockets themselves. */
const contexts = new WeakMap<object, BrowserSourceContext>();

/** The overlay sockets of a running instance (tests attach them to a server of their own). */
export function overlaySocketsOf(deps: object): OverlaySockets {
  const ctx = contexts.get(deps);
  if (!ctx) throw new Error('browser-source routes were not built with these deps');
  return ctx.sockets;
}

function fanoutBus(deps: BrowserSourceDeps): FrameBus {
  if (deps.config.REDIS_URL) return stateBus(deps.state.pubsub, deps.logger);
  // Replicas sharing PostgreSQL but no Redis meet on LISTEN/NOTIFY; the embedded database is one process.
  if (deps.config.DATABASE_URL && deps.database.kind === 'postgres')
    return postgresBus(deps.db, deps.config.DATABASE_URL, deps.logger);
  return stateBus(deps.state.pubsub, deps.logger);
}

export const service = defineService({
  name: 'browser-source',
  config,
  migrations,
  routes(app, deps) {
    const db = deps.db as Kysely<BrowserSourceDB>;
    const community = communityLookups(deps.serviceClient('community'), deps.logger);
    const tokens = {
      db,
      clock: deps.clock,
      tokenBytes: deps.config.TOKEN_LENGTH,
      baseUrl: deps.config.BASE_URL,
    };
    const bus = fanoutBus(deps);
    const forwardTrackEnded = youtubeTrackEndForwarder({
      youtubeMusic: deps.serviceClient('youtube-music'),
      kv: deps.state.kv,
      logger: deps.logger,
    });
    const sockets = new OverlaySockets({
      clock: deps.clock,
      ids: deps.ids,
      logger: deps.logger,
      maxConnections: deps.config.MAX_CONNECTIONS,
      idleTimeoutSeconds: IDLE_TIMEOUT_SECONDS,
      resolveToken: (token) => findActiveToken(db, token),
      replayFrames: (communityId, sourceType) =>
        replayFrames({ db, clock: deps.clock }, communityId, sourceType),
      onClientEvent: forwardTrackEnded,
    });
    const ctx: BrowserSourceContext = {
      tokens,
      delivery: { db, clock: deps.clock, logger: deps.logger, sockets, bus, replicaId: deps.ids.uuid() },
      sockets,
      bus,
      community,
      assertOverlayAdmin: overlayAdminAccess(deps.database.root, community),
      limits: {
        maxTickerLength: deps.config.MAX_TICKER_LENGTH,
        defaultTickerDuration: deps.config.DEFAULT_TICKER_DURATION,
        defaultMediaDuration: deps.config.DEFAULT_MEDIA_DURATION,
      },
      logger: deps.logger,
    };
    contexts.set(deps, ctx);
    mountDisplayRoute(app, deps, ctx);
    mountAdminRoutes(app, deps, ctx);
    mountPageRoutes(app, deps, ctx);
  },
  readiness: (deps) => [
    {
      name: 'websocket',
      required: false,
      run: async () => (contexts.has(deps) ? 'ok' : 'error'),
    },
  ],
  // Overlay sockets share the service's HTTP port (contracts §2).
  upgrade: (deps) => contexts.get(deps)!.sockets.handleUpgrade,
  async start(deps) {
    const ctx = contexts.get(deps)!;
    const unsubscribe = await ctx.bus.subscribe((msg) => {
      onFanoutMessage(ctx.delivery, msg).catch((err: unknown) =>
        deps.logger.error('overlay fan-out delivery failed', { err }),
      );
    });
    const sweep = setInterval(() => ctx.sockets.sweep(), SWEEP_INTERVAL_MS);
    sweep.unref();
    const purge = () =>
      purgeExpiredRows({ db: ctx.tokens.db, clock: deps.clock }, deps.config.ACCESS_LOG_RETENTION_DAYS).catch(
        (err: unknown) => deps.logger.error('overlay retention purge failed', { err }),
      );
    const retention = setInterval(() => void purge(), RETENTION_INTERVAL_MS);
    retention.unref();
    void purge();
    return async () => {
      clearInterval(sweep);
      clearInterval(retention);
      ctx.sockets.closeAll();
      await unsubscribe();
    };
  },
});
