import {
  boolVar,
  defineService,
  intVar,
  mountInteraction,
  mountUserMergedRoute,
  optionalString,
  urlVar,
  z,
  TokenCipher,
} from '@waddlebot/core';
import type { Kysely } from 'kysely';
import { handleSpotifyRequest } from './chat-commands.js';
import type { SpotifyDB } from './db.js';
import { migrations } from './migrations/index.js';
import { mountAuthCallback } from './routes/auth-callback.js';
import { mountSpotifyRestRoutes } from './routes/rest.js';
import { SpotifyAccounts } from './spotify-accounts.js';
import { SpotifyApi, UpstreamHealth } from './spotify-api.js';
import { TokenStore } from './token-store.js';
import { mergeUser } from './user-merge.js';

/** Spotify calls stay well below the router's 30 s command timeout (interaction-modules §1.4). */
const SPOTIFY_TIMEOUT_MS = 10_000;

export const service = defineService({
  name: 'spotify',
  config: {
    SPOTIFY_CLIENT_ID: optionalString(),
    SPOTIFY_CLIENT_SECRET: optionalString(),
    SPOTIFY_REDIRECT_URI: urlVar('http://localhost:8026/spotify/auth/callback'),
    SPOTIFY_SCOPES: z
      .string()
      .optional()
      .transform((v) =>
        v?.trim()
          ? v.trim()
          : 'user-read-playback-state user-modify-playback-state user-read-currently-playing streaming',
      ),
    SPOTIFY_MARKET: z
      .string()
      .regex(/^[A-Za-z]{2}$/, 'expected a two-letter country code')
      .default('US')
      .transform((v) => v.toUpperCase()),
    /** Encrypts stored tokens; without it the key is derived from SERVICE_API_KEY. */
    TOKEN_ENCRYPTION_KEY: optionalString(),
    TOKEN_REFRESH_BUFFER: intVar(300, { min: 0, max: 3000 }),
    MAX_SEARCH_RESULTS: intVar(10, { min: 1, max: 50 }),
    SEARCH_CACHE_TTL_SECONDS: intVar(600, { min: 1, max: 86_400 }),
    MEDIA_DISPLAY_DURATION: intVar(30, { min: 1, max: 600 }),
    SHOW_ALBUM_ART: boolVar(true),
    RATE_LIMIT_SEARCHES: intVar(30, { min: 1, max: 10_000 }),
    RATE_LIMIT_PLAYS: intVar(20, { min: 1, max: 10_000 }),
    RATE_LIMIT_SKIPS: intVar(10, { min: 1, max: 10_000 }),
  },
  migrations,
  commands: (deps) => [
    {
      command: 'spotify',
      aliases: ['spot'],
      description: "Control the community's Spotify player",
      usage: '!spotify <search|play|queue|current|pause|resume|skip|devices|connect|disconnect>',
      location_url: `${deps.config.SPOTIFY_URL}/interaction`,
      trigger_type: 'command',
      timeout: 25,
      module_name: 'spotify',
      module_type: 'interaction',
    },
  ],
  readiness: (deps) => [
    {
      name: 'upstream',
      required: false,
      // No probe call: a probe needs some community's token. The last real call tells.
      run: async () =>
        !deps.config.SPOTIFY_CLIENT_ID || !deps.config.SPOTIFY_CLIENT_SECRET
          ? 'not_configured'
          : upstreamHealthOf(deps).lastFailed
            ? 'degraded'
            : 'ok',
    },
  ],
  routes(app, deps) {
    const db = deps.db as Kysely<SpotifyDB>;
    const { config } = deps;
    // Spotify's own breaker would run on real timers; a failing Spotify is reported per command.
    const httpOpts = { timeoutMs: SPOTIFY_TIMEOUT_MS, retries: 0, breakerThreshold: 0 };
    const accounts = new SpotifyAccounts(
      deps.httpClient(config.SPOTIFY_ACCOUNTS_BASE_URL, httpOpts),
      config.SPOTIFY_ACCOUNTS_BASE_URL,
      {
        clientId: config.SPOTIFY_CLIENT_ID,
        clientSecret: config.SPOTIFY_CLIENT_SECRET,
        redirectUri: config.SPOTIFY_REDIRECT_URI,
        scopes: config.SPOTIFY_SCOPES,
      },
    );
    const tokens = new TokenStore({
      db,
      clock: deps.clock,
      logger: deps.logger,
      accounts,
      cipher: new TokenCipher({
        encryptionKey: config.TOKEN_ENCRYPTION_KEY,
        serviceApiKey: config.SERVICE_API_KEY,
        purpose: 'spotify-token-encryption',
      }),
      refreshBufferSeconds: config.TOKEN_REFRESH_BUFFER,
    });
    const api = new SpotifyApi(
      deps.httpClient(config.SPOTIFY_API_BASE_URL, httpOpts),
      tokens,
      { market: config.SPOTIFY_MARKET, maxSearchResults: config.MAX_SEARCH_RESULTS },
      upstreamHealthOf(deps),
    );
    const chatDeps = {
      db,
      clock: deps.clock,
      moduleName: deps.name,
      logger: deps.logger,
      api,
      accounts,
      tokens,
      rateLimiter: deps.state.rateLimiter,
      router: deps.serviceClient('router'),
      limits: {
        searchesPerMinute: config.RATE_LIMIT_SEARCHES,
        playsPerMinute: config.RATE_LIMIT_PLAYS,
        skipsPerMinute: config.RATE_LIMIT_SKIPS,
      },
      searchCacheTtlSeconds: config.SEARCH_CACHE_TTL_SECONDS,
      mediaDisplaySeconds: config.MEDIA_DISPLAY_DURATION,
      showAlbumArt: config.SHOW_ALBUM_ART,
    };
    mountInteraction(app, deps, {
      paths: ['/interaction', '/spotify/interaction'],
      handle: (req) => handleSpotifyRequest(chatDeps, req),
    });
    mountAuthCallback(app, { db, clock: deps.clock, logger: deps.logger, accounts, tokens });
    mountSpotifyRestRoutes(app, deps, { db, clock: deps.clock, accounts, tokens });
    mountUserMergedRoute(app, deps, (m) => mergeUser(db, m));
  },
});

/** One health record per running service instance, shared by its API client and `/readyz`. */
const upstreamHealth = new WeakMap<object, UpstreamHealth>();
function upstreamHealthOf(deps: object): UpstreamHealth {
  let health = upstreamHealth.get(deps);
  if (!health) upstreamHealth.set(deps, (health = new UpstreamHealth()));
  return health;
}
