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

const configShape = {
  TWITCH_CLIENT_ID: optionalString(),
  TWITCH_CLIENT_SECRET: optionalString(),
  /** A ready token; without it an app token is fetched with the client credentials. */
  TWITCH_ACCESS_TOKEN: optionalString(),
  /** The domain of the page embedding clips (Twitch's `parent`), i.e. the OBS overlay host. */
  OVERLAY_PARENT_DOMAIN: z.string().min(1).default('localhost'),
  /** Per Helix call; three sequential steps stay below the router's 30 s command timeout. */
  SHOUTOUT_HELIX_TIMEOUT_MS: intVar(8000, { min: 100, max: 10_000 }),
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
        if (!helixOf(deps).configured) return 'not_configured';
        if (helixOf(deps).breakerOpen) throw new Error('twitch helix breaker open');
      },
    },
  ],
  routes(app, deps) {
    const db = deps.db as Kysely<ShoutoutDB>;
    const shoutoutDeps: ShoutoutDeps = {
      db,
      clock: deps.clock,
      helix: helixOf(deps),
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

/** One Helix client per service instance, shared by the routes and the readiness check. */
const helixClients = new WeakMap<object, TwitchHelix>();
function helixOf(deps: ShoutoutServiceDeps): TwitchHelix {
  let helix = helixClients.get(deps);
  if (!helix) {
    const timeoutMs = deps.config.SHOUTOUT_HELIX_TIMEOUT_MS;
    helix = new TwitchHelix({
      api: deps.httpClient(deps.config.TWITCH_API_BASE_URL, { timeoutMs, retries: 1, breakerThreshold: 0 }),
      auth: deps.httpClient(deps.config.TWITCH_AUTH_BASE_URL, { timeoutMs, retries: 1, breakerThreshold: 0 }),
      clientId: deps.config.TWITCH_CLIENT_ID,
      clientSecret: deps.config.TWITCH_CLIENT_SECRET,
      accessToken: deps.config.TWITCH_ACCESS_TOKEN,
      clock: deps.clock,
      logger: deps.logger,
    });
    helixClients.set(deps, helix);
  }
  return helix;
}
