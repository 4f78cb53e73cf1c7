import {
  defineService,
  intVar,
  mountInteraction,
  optionalString,
  z,
  type Config,
  type ServiceDeps,
  mountUserMergedRoute,
} from '@waddlebot/core';
import type { Kysely } from 'kysely';
import { handleShoutoutRequest } from './chat-commands.js';
import type { ShoutoutDB } from './db.js';
import { migrations } from './migrations/index.js';
import { mountShoutoutRestRoutes } from './routes/rest.js';
import type { ShoutoutDeps } from './shoutouts.js';
import { TwitchHelix } from './twitch-helix.js';
import { mergeUser } from './user-merge.js';
import { YouTubeShorts } from './youtube-shorts.js';

const configShape = {
  TWITCH_CLIENT_ID: optionalString(),
  TWITCH_CLIENT_SECRET: optionalString(),
  /** A ready token; without it an app token is fetched with the client credentials. */
  TWITCH_ACCESS_TOKEN: optionalString(),
  /** The domain of the page embedding clips (Twitch's `parent`), i.e. the OBS overlay host. */
  OVERLAY_PARENT_DOMAIN: z.string().min(1).default('localhost'),
  /** Per Helix call; three sequential steps stay below the router's 30 s command timeout. */
  SHOUTOUT_HELIX_TIMEOUT_MS: intVar(8000, { min: 100, max: 10_000 }),
  /** YouTube Data API key for the `youtube_short` card; without it that card falls back to the Twitch one. */
  YOUTUBE_API_KEY: optionalString(),
  /** Per YouTube call; the (up to three) calls run beside the Helix look-up, within its time. */
  SHOUTOUT_YOUTUBE_TIMEOUT_MS: intVar(5000, { min: 100, max: 10_000 }),
};
type ShoutoutServiceDeps = ServiceDeps<Config<typeof configShape>>;

export const service = defineService({
  name: 'shoutout',
  config: configShape,
  migrations,
  commands: (deps) => [
    {
      command: 'so',
      aliases: ['shoutout'],
      description: 'Shout out another streamer',
      usage: '!so <username>',
      location_url: `${deps.config.SHOUTOUT_URL}/interaction`,
      trigger_type: 'command',
      required_permission: 'commands.basic',
      timeout: 30,
      module_name: 'shoutout',
      module_type: 'interaction',
    },
    {
      // Registry rows are global; each community's auto_triggers filter these events.
      command: 'shoutout-auto',
      description: 'Automatic shoutouts on follows, subscriptions and raids',
      location_url: `${deps.config.SHOUTOUT_URL}/interaction`,
      trigger_type: 'event',
      event_types: ['follow', 'subscription', 'raid'],
      timeout: 30,
      module_name: 'shoutout',
      module_type: 'interaction',
    },
  ],
  readiness: (deps) => [
    {
      name: 'upstream',
      required: false,
      run: async () => {
        const { helix, youtube } = upstreamsOf(deps);
        if (!helix.configured) return 'not_configured';
        if (helix.breakerOpen) throw new Error('twitch helix breaker open');
        if (youtube.breakerOpen) throw new Error('youtube breaker open');
      },
    },
  ],
  routes(app, deps) {
    const db = deps.db as Kysely<ShoutoutDB>;
    const shoutoutDeps: ShoutoutDeps = {
      db,
      clock: deps.clock,
      ...upstreamsOf(deps),
      overlayParentDomain: deps.config.OVERLAY_PARENT_DOMAIN,
      logger: deps.logger,
    };
    mountInteraction(app, deps, {
      paths: ['/interaction', '/shoutout'],
      handle: (req) => handleShoutoutRequest(shoutoutDeps, req),
    });
    mountShoutoutRestRoutes(app, deps, db);
    mountUserMergedRoute(app, deps, (m) => mergeUser(db, m));
  },
});

/** One client per upstream and service instance, shared by the routes and the readiness check. */
const upstreamClients = new WeakMap<object, { helix: TwitchHelix; youtube: YouTubeShorts }>();
function upstreamsOf(deps: ShoutoutServiceDeps) {
  let clients = upstreamClients.get(deps);
  if (!clients) {
    // Own breakers (on the injected clock) replace the HTTP client's.
    const helixHttp = { timeoutMs: deps.config.SHOUTOUT_HELIX_TIMEOUT_MS, retries: 1, breakerThreshold: 0 };
    const youtubeHttp = {
      timeoutMs: deps.config.SHOUTOUT_YOUTUBE_TIMEOUT_MS,
      retries: 1,
      breakerThreshold: 0,
    };
    clients = {
      helix: new TwitchHelix({
        api: deps.httpClient(deps.config.TWITCH_API_BASE_URL, helixHttp),
        auth: deps.httpClient(deps.config.TWITCH_AUTH_BASE_URL, helixHttp),
        clientId: deps.config.TWITCH_CLIENT_ID,
        clientSecret: deps.config.TWITCH_CLIENT_SECRET,
        accessToken: deps.config.TWITCH_ACCESS_TOKEN,
        clock: deps.clock,
        logger: deps.logger,
      }),
      youtube: new YouTubeShorts({
        api: deps.httpClient(deps.config.YOUTUBE_API_BASE_URL, youtubeHttp),
        apiKey: deps.config.YOUTUBE_API_KEY,
        clock: deps.clock,
        logger: deps.logger,
      }),
    };
    upstreamClients.set(deps, clients);
  }
  return clients;
}
