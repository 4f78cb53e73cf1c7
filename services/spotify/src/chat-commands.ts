import {
  ModuleFailure,
  chatResponse,
  forbidden,
  hasRole,
  userKeyOf,
  type HttpClient,
  type Logger,
  type ModuleErrorCode,
  type ModuleRequest,
  type ModuleResponse,
  type RateLimiter,
  type Role,
} from '@waddlebot/core';
import { createConnectLink } from './connect-link.js';
import type { TrackSummary } from './db.js';
import {
  cacheSearch,
  latestSearch,
  markNotPlaying,
  nowPlaying,
  recordActivity,
  recordNowPlaying,
  type MusicStoreDeps,
  type Requester,
} from './music-store.js';
import {
  CURRENT_CARD_SECONDS,
  formatDuration,
  mediaCard,
  nowPlayingLine,
  nowPlayingTicker,
} from './now-playing-card.js';
import type { SpotifyAccounts } from './spotify-accounts.js';
import type { SpotifyApi } from './spotify-api.js';
import { SpotifyFailure } from './spotify-errors.js';
import type { TokenStore } from './token-store.js';
import { parseTrackReference } from './track-reference.js';

export interface ChatCommandDeps extends MusicStoreDeps {
  moduleName: string;
  logger: Logger;
  api: SpotifyApi;
  accounts: SpotifyAccounts;
  tokens: TokenStore;
  rateLimiter: RateLimiter;
  /** `serviceClient('router')` for the connect DM (contracts §12). */
  router: HttpClient;
  limits: { searchesPerMinute: number; playsPerMinute: number; skipsPerMinute: number };
  searchCacheTtlSeconds: number;
  mediaDisplaySeconds: number;
  showAlbumArt: boolean;
}

const CHAT_LIMIT = 450;
const LISTED_RESULTS = 5;
const QUERY_MAX = 200;
const DM_TIMEOUT_MS = 5000;

const HELP =
  'Spotify: !spotify search <query> | play <track|#> | queue <track|#> | current | pause | resume | skip | devices | connect | disconnect';
const NOT_CONNECTED = 'Spotify is not connected for this community. An admin can run !spotify connect';
const NOT_CONFIGURED =
  'Spotify is not set up on this WaddleBot: the operator must set SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET';
const INVALID_REFERENCE = 'Invalid track reference';
const NO_MATCH = 'No track matches that reference';
const NOTHING_PLAYING = 'No track is currently playing on Spotify';
const SLOW_DOWN = 'Slow down, try again in a moment';

/** Minimum role per subcommand (interaction-modules §9 command table). */
const REQUIRED_ROLE: Record<string, Role> = {
  connect: 'admin',
  disconnect: 'admin',
  play: 'moderator',
  pause: 'moderator',
  resume: 'moderator',
  skip: 'moderator',
  devices: 'moderator',
};
const ACTION_WORDS: Record<string, string> = {
  connect: 'connect Spotify',
  disconnect: 'disconnect Spotify',
  play: 'control Spotify playback',
  pause: 'control Spotify playback',
  resume: 'control Spotify playback',
  skip: 'control Spotify playback',
  devices: 'list Spotify devices',
};
/** Subcommands that manage the connection rather than use it. */
const ACCOUNT_SUBCOMMANDS = new Set(['connect', 'disconnect']);
const SUBCOMMAND_ALIASES: Record<string, string> = { nowplaying: 'current', unpause: 'resume', next: 'skip' };

function clip(text: string): string {
  return text.length <= CHAT_LIMIT ? text : `${text.slice(0, CHAT_LIMIT - 1)}…`;
}

/** `head1. a | 2. b`, cut at whole entries so the line fits in chat. */
function numberedList(head: string, lines: string[]): string {
  let text = head;
  for (let i = 0; i < lines.length; i++) {
    const entry = `${i > 0 ? ' | ' : ''}${i + 1}. ${lines[i]}`;
    if (text.length + entry.length > CHAT_LIMIT - 2) return `${text} …`;
    text += entry;
  }
  return text;
}

const artistsOf = (t: TrackSummary) => t.artists.join(', ');

/** A Spotify failure as the chat answer of interaction-modules §9 and contracts §17.4. */
function chatFailureOf(err: SpotifyFailure, failedAction: string): ModuleFailure {
  const table: Record<SpotifyFailure['kind'], [ModuleErrorCode, string]> = {
    not_connected: ['NOT_CONNECTED', NOT_CONNECTED],
    not_configured: ['NOT_CONNECTED', NOT_CONFIGURED],
    no_active_device: ['UPSTREAM', 'No active Spotify device: open Spotify on a device first'],
    premium_required: ['UPSTREAM', 'Spotify Premium is required for playback control'],
    unavailable: ['UPSTREAM', `Could not ${failedAction}: Spotify is unavailable right now`],
  };
  const [code, text] = table[err.kind];
  return new ModuleFailure(code, text, err.message);
}

async function viaSpotify<T>(failedAction: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof SpotifyFailure) throw chatFailureOf(err, failedAction);
    throw err;
  }
}

async function withinLimit(deps: ChatCommandDeps, bucket: string, communityId: string, limit: number) {
  const decision = await deps.rateLimiter.hit(`spotify:${bucket}:${communityId}`, limit, 60);
  if (!decision.allowed) throw new ModuleFailure('COOLDOWN', SLOW_DOWN);
}

interface Caller {
  communityId: string;
  requester: Requester;
}

/** A play/queue reference as a track: a result number resolves against the caller's own search. */
async function resolveReference(
  deps: ChatCommandDeps,
  caller: Caller,
  raw: string | undefined,
  subcommand: string,
): Promise<{ id: string; uri: string; known: TrackSummary | null }> {
  if (!raw)
    throw new ModuleFailure('USAGE', `Usage: !spotify ${subcommand} <spotify:track:ID | track link | #>`);
  const ref = parseTrackReference(raw);
  if (!ref) throw new ModuleFailure('VALIDATION', INVALID_REFERENCE);
  if (ref.kind === 'track') return { id: ref.id, uri: ref.uri, known: null };
  const results = await latestSearch(
    deps,
    caller.communityId,
    caller.requester.key,
    deps.searchCacheTtlSeconds,
  );
  const hit = results?.[ref.index - 1];
  if (!hit) throw new ModuleFailure('NOT_FOUND', NO_MATCH);
  return { id: hit.id, uri: hit.uri, known: hit };
}

/** Spotify's description of the track, else what the search said, else the bare uri. */
async function describe(
  deps: ChatCommandDeps,
  caller: Caller,
  id: string,
  uri: string,
  known: TrackSummary | null,
) {
  try {
    return (await deps.api.track(caller.communityId, id)) ?? known ?? bareTrack(id, uri);
  } catch (err) {
    // The playback command already succeeded; only the description is missing.
    if (!(err instanceof SpotifyFailure)) throw err;
    deps.logger.warn('spotify track lookup failed', { reason: err.reason });
    return known ?? bareTrack(id, uri);
  }
}

const bareTrack = (id: string, uri: string): TrackSummary => ({
  uri,
  id,
  name: uri,
  artists: [],
  album: '',
  album_art_url: null,
  duration_ms: 0,
  spotify_url: `https://open.spotify.com/track/${id}`,
  preview_url: null,
});

type Handler = (deps: ChatCommandDeps, req: ModuleRequest, caller: Caller) => Promise<ModuleResponse>;

const reply = (
  deps: ChatCommandDeps,
  req: ModuleRequest,
  text: string,
  extra: Partial<ModuleResponse> = {},
) => chatResponse(req, deps.moduleName, clip(text), extra);

const handlers: Record<string, Handler> = {
  async connect(deps, req, caller) {
    const link = await viaSpotify('connect Spotify', () =>
      createConnectLink(deps, caller.communityId, { key: caller.requester.key, name: caller.requester.name }),
    );
    const text = `Connect Spotify for this community (link valid 10 minutes, single use): ${link.auth_url}`;
    let delivered = false;
    try {
      const res = await deps.router.post(
        '/router/messages/outbound',
        {
          platform: req.platform,
          type: 'dm',
          user_id: req.user.id,
          text,
          module_name: deps.moduleName,
          idempotency_key: `spotify:connect:${link.state}`,
        },
        { retries: 0, timeoutMs: DM_TIMEOUT_MS },
      );
      delivered = res.ok;
      if (!res.ok) deps.logger.warn('spotify connect dm refused', { status: res.status });
    } catch (err) {
      deps.logger.warn('spotify connect dm failed', { error: (err as Error).name });
    }
    return delivered
      ? reply(deps, req, 'Check your DMs for the Spotify authorisation link')
      : reply(deps, req, `Could not DM you; open this link to connect Spotify: ${link.auth_url}`);
  },

  async disconnect(deps, req, caller) {
    const removed = await deps.tokens.remove(caller.communityId);
    if (removed)
      deps.logger.audit({
        action: 'spotify_disconnect',
        user: caller.requester.key,
        community: caller.communityId,
        result: 'SUCCESS',
      });
    return reply(
      deps,
      req,
      removed ? 'Spotify disconnected' : 'Spotify was not connected for this community',
    );
  },

  async search(deps, req, caller) {
    const query = req.args.slice(1).join(' ').trim().slice(0, QUERY_MAX);
    if (!query) throw new ModuleFailure('USAGE', 'Usage: !spotify search <query>');
    await withinLimit(deps, 'searches', caller.communityId, deps.limits.searchesPerMinute);
    const results = await viaSpotify('search Spotify', () => deps.api.search(caller.communityId, query));
    if (results.length === 0) return reply(deps, req, `No Spotify results for '${query}'`);
    await cacheSearch(
      deps,
      caller.communityId,
      caller.requester.key,
      query,
      results,
      deps.searchCacheTtlSeconds,
    );
    const lines = results
      .slice(0, LISTED_RESULTS)
      .map(
        (t) => `${t.name}${t.artists.length ? ` - ${artistsOf(t)}` : ''} (${formatDuration(t.duration_ms)})`,
      );
    return reply(deps, req, numberedList('Spotify Search Results: ', lines));
  },

  async play(deps, req, caller) {
    const ref = await resolveReference(deps, caller, req.args[1], 'play');
    await withinLimit(deps, 'plays', caller.communityId, deps.limits.playsPerMinute);
    await viaSpotify('start playback', () => deps.api.play(caller.communityId, ref.uri));
    const track = await describe(deps, caller, ref.id, ref.uri, ref.known);
    const np = await recordNowPlaying(
      deps,
      caller.communityId,
      track,
      { is_playing: true, progress_ms: 0, startedNow: true },
      caller.requester,
    );
    return reply(deps, req, nowPlayingLine(np), {
      additional_responses: [
        mediaCard(np, deps.mediaDisplaySeconds, deps.showAlbumArt),
        nowPlayingTicker(np),
      ],
    });
  },

  async queue(deps, req, caller) {
    const ref = await resolveReference(deps, caller, req.args[1], 'queue');
    await withinLimit(deps, 'plays', caller.communityId, deps.limits.playsPerMinute);
    await viaSpotify('queue the track', () => deps.api.enqueue(caller.communityId, ref.uri));
    const track = await describe(deps, caller, ref.id, ref.uri, ref.known);
    return reply(deps, req, `Queued: ${track.name}${track.artists.length ? ` by ${artistsOf(track)}` : ''}`);
  },

  async current(deps, req, caller) {
    const state = await viaSpotify('read playback', () => deps.api.player(caller.communityId));
    if (!state || !state.is_playing || !state.track) {
      await markNotPlaying(deps, caller.communityId);
      return reply(deps, req, NOTHING_PLAYING);
    }
    const previous = await nowPlaying(deps, caller.communityId);
    const np = await recordNowPlaying(
      deps,
      caller.communityId,
      state.track,
      {
        is_playing: true,
        progress_ms: state.progress_ms,
        startedNow: previous?.track_uri !== state.track.uri,
      },
      null,
    );
    const progress = np.duration_ms
      ? ` (${formatDuration(np.progress_ms)}/${formatDuration(np.duration_ms)})`
      : '';
    return reply(deps, req, `${nowPlayingLine(np)}${progress}`, {
      additional_responses: [mediaCard(np, CURRENT_CARD_SECONDS, deps.showAlbumArt)],
    });
  },

  async pause(deps, req, caller) {
    await viaSpotify('pause Spotify playback', () => deps.api.pause(caller.communityId));
    return reply(deps, req, 'Spotify playback paused');
  },

  async resume(deps, req, caller) {
    await viaSpotify('resume Spotify playback', () => deps.api.resume(caller.communityId));
    return reply(deps, req, 'Spotify playback resumed');
  },

  async skip(deps, req, caller) {
    await withinLimit(deps, 'skips', caller.communityId, deps.limits.skipsPerMinute);
    await viaSpotify('skip the track', () => deps.api.next(caller.communityId));
    return reply(deps, req, 'Skipped to next track');
  },

  async devices(deps, req, caller) {
    const devices = await viaSpotify('list Spotify devices', () => deps.api.devices(caller.communityId));
    if (devices.length === 0) return reply(deps, req, 'No Spotify devices found');
    const lines = devices.map((d) => `${d.name} - ${d.type}${d.is_active ? ' (active)' : ''}`);
    return reply(deps, req, numberedList('Available Spotify devices: ', lines));
  },
};

/** `!spotify …` (interaction-modules §9); one `spotify_activity` row per subcommand run. */
export async function handleSpotifyRequest(
  deps: ChatCommandDeps,
  req: ModuleRequest,
): Promise<ModuleResponse> {
  const given = (req.args[0] ?? '').toLowerCase();
  if (!given || given === 'help') return reply(deps, req, HELP);
  const subcommand = SUBCOMMAND_ALIASES[given] ?? given;
  const handler = handlers[subcommand];
  if (!handler) throw new ModuleFailure('USAGE', clip(`Unknown subcommand: ${given}. ${HELP}`));
  const caller: Caller = {
    communityId: req.community_id,
    requester: { key: userKeyOf(req.user, req.platform), name: req.user.display_name || req.user.name },
  };
  const required = REQUIRED_ROLE[subcommand];
  if (required && !hasRole(req.user_context.role, required)) throw forbidden(ACTION_WORDS[subcommand]!);
  try {
    // Not connected is the answer, whatever else is wrong with the command.
    if (!ACCOUNT_SUBCOMMANDS.has(subcommand) && !(await deps.tokens.isConnected(caller.communityId)))
      throw new ModuleFailure('NOT_CONNECTED', NOT_CONNECTED);
    const res = await handler(deps, req, caller);
    await recordActivity(deps, caller.communityId, caller.requester.key, subcommand, { success: true });
    return res;
  } catch (err) {
    if (err instanceof ModuleFailure)
      await recordActivity(deps, caller.communityId, caller.requester.key, subcommand, {
        success: false,
        error_code: err.code,
      });
    throw err;
  }
}
