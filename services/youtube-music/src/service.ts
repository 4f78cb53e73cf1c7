import {
  boolVar,
  defineService,
  intVar,
  mountInteraction,
  mountUserMergedRoute,
  optionalString,
  z,
  type Config,
  type ServiceDeps,
  UpstreamBreaker,
} from '@waddlebot/core';
import type { Kysely } from 'kysely';
import { handleYouTubeMusicRequest, type ChatCommandDeps } from './chat-commands.js';
import type { YouTubeMusicDB } from './db.js';
import { migrations } from './migrations/index.js';
import { mountYouTubeRestRoutes } from './routes/rest.js';
import { mountTrackEndedRoute } from './routes/track-ended.js';
import { mergeUser } from './user-merge.js';
import { YouTubeApi } from './youtube-api.js';

const configShape = {
  /** Without it the service runs and answers searches with NOT_CONNECTED (contracts §17.4). */
  YOUTUBE_API_KEY: optionalString(),
  YOUTUBE_MUSIC_CATEGORY_ID: z
    .string()
    .regex(/^\d{1,4}$/, 'must be a numeric YouTube category id')
    .default('10'),
  YOUTUBE_REGION_CODE: z
    .string()
    .regex(/^[A-Za-z]{2}$/, 'must be a two-letter region code')
    .default('US')
    .transform((v) => v.toUpperCase()),
  /** Results fetched (and cached) per search; YouTube allows at most 50. */
  MAX_SEARCH_RESULTS: intVar(10, { min: 1, max: 50 }),
  ENABLE_QUEUE: boolVar(true),
  MAX_QUEUE_SIZE: intVar(50, { min: 1, max: 1000 }),
  MAX_REQUESTS_PER_USER_IN_QUEUE: intVar(3, { min: 1, max: 1000 }),
  SEARCH_CACHE_TTL_SECONDS: intVar(600, { min: 10, max: 86_400 }),
  /** Per community and minute (interaction-modules §8 limits). */
  RATE_LIMIT_SEARCHES: intVar(30, { min: 1, max: 10_000 }),
  RATE_LIMIT_PLAYS: intVar(20, { min: 1, max: 10_000 }),
  /** Per YouTube call; a play makes one call and a search two, inside the router's 30 s. */
  YOUTUBE_TIMEOUT_MS: intVar(10_000, { min: 100, max: 10_000 }),
  YOUTUBE_BREAKER_THRESHOLD: intVar(5, { min: 1, max: 100 }),
  YOUTUBE_BREAKER_OPEN_MS: intVar(60_000, { min: 1000, max: 3_600_000 }),
  /** How long a known YouTube state stands before /readyz probes again (each probe costs quota). */
  YOUTUBE_HEALTH_PROBE_INTERVAL_MS: intVar(300_000, { min: 1000, max: 86_400_000 }),
};
type YouTubeMusicDeps = ServiceDeps<Config<typeof configShape>>;

/** One client per service instance, shared by the routes and the readiness check. */
const clients = new WeakMap<object, { youtube: YouTubeApi; upstream: UpstreamBreaker }>();
function youtubeOf(deps: YouTubeMusicDeps) {
  let entry = clients.get(deps);
  if (!entry) {
    const upstream = new UpstreamBreaker({
      clock: deps.clock,
      logger: deps.logger,
      upstream: 'youtube',
      threshold: deps.config.YOUTUBE_BREAKER_THRESHOLD,
      openMs: deps.config.YOUTUBE_BREAKER_OPEN_MS,
    });
    const youtube = new YouTubeApi({
      // The own breaker (on the injected clock) replaces the HTTP client's.
      http: deps.httpClient(deps.config.YOUTUBE_API_BASE_URL, {
        timeoutMs: deps.config.YOUTUBE_TIMEOUT_MS,
        retries: 1,
        breakerThreshold: 0,
      }),
      apiKey: deps.config.YOUTUBE_API_KEY,
      categoryId: deps.config.YOUTUBE_MUSIC_CATEGORY_ID,
      regionCode: deps.config.YOUTUBE_REGION_CODE,
      maxSearchResults: deps.config.MAX_SEARCH_RESULTS,
      upstream,
      calls: deps.metrics.counter(
        'youtube_api_calls_total',
        'YouTube Data API calls by endpoint and result',
        ['endpoint', 'result'],
      ),
    });
    entry = { youtube, upstream };
    clients.set(deps, entry);
  }
  return entry;
}

export const service = defineService({
  name: 'youtube-music',
  config: configShape,
  migrations,
  commands: (deps) => [
    {
      command: 'ytmusic',
      aliases: ['youtube'],
      description: 'Search YouTube music, play tracks and manage the song queue',
      usage: '!ytmusic <search|play|current|queue|skip|stop> …',
      location_url: `${deps.config.YOUTUBE_MUSIC_URL}/interaction`,
      trigger_type: 'command',
      required_permission: 'commands.basic',
      // A search is two YouTube calls of at most YOUTUBE_TIMEOUT_MS each.
      timeout: 30,
      module_name: 'youtube-music',
      module_type: 'interaction',
    },
  ],
  readiness: (deps) => [
    {
      name: 'upstream',
      required: false,
      run: async () => {
        const { youtube, upstream } = youtubeOf(deps);
        if (!youtube.configured) return 'not_configured';
        if (upstream.open || upstream.lastFailed) throw new Error('youtube failing');
        if (upstream.sinceLastOutcomeMs > deps.config.YOUTUBE_HEALTH_PROBE_INTERVAL_MS) await youtube.probe();
      },
    },
  ],
  routes(app, deps) {
    const db = deps.db as Kysely<YouTubeMusicDB>;
    const store = { db, clock: deps.clock };
    const chatDeps: ChatCommandDeps = {
      ...store,
      youtube: youtubeOf(deps).youtube,
      rateLimiter: deps.state.rateLimiter,
      logger: deps.logger,
      moduleName: deps.name,
      rules: {
        enableQueue: deps.config.ENABLE_QUEUE,
        maxQueueSize: deps.config.MAX_QUEUE_SIZE,
        maxPerUser: deps.config.MAX_REQUESTS_PER_USER_IN_QUEUE,
      },
      searchCacheTtlSeconds: deps.config.SEARCH_CACHE_TTL_SECONDS,
      searchesPerMinute: deps.config.RATE_LIMIT_SEARCHES,
      playsPerMinute: deps.config.RATE_LIMIT_PLAYS,
      commands: deps.metrics.counter(
        'youtube_music_commands_total',
        '!ytmusic commands by subcommand and result',
        ['subcommand', 'result'],
      ),
    };
    mountInteraction(app, deps, {
      paths: ['/interaction', '/youtube/music/interaction'],
      handle: (req) => handleYouTubeMusicRequest(chatDeps, req),
    });
    mountTrackEndedRoute(app, deps, store);
    mountYouTubeRestRoutes(app, deps, store);
    mountUserMergedRoute(app, deps, (m) => mergeUser(db, m));
  },
});
