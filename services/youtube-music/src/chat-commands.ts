import {
  ModuleFailure,
  chatResponse,
  forbidden,
  hasRole,
  usage,
  userKeyOf,
  type Logger,
  type ModuleRequest,
  type ModuleResponse,
  type RateLimiter,
  type ServiceMetrics,
} from '@waddlebot/core';
import type { TrackSummary } from './db.js';
import {
  advance,
  cacheSearch,
  latestSearch,
  nowPlaying,
  playOrQueue,
  queueEntries,
  recordActivity,
  stopPlayback,
  type MusicStoreDeps,
  type QueueRules,
  type Requester,
} from './music-store.js';
import { CARD_SECONDS, mediaCard, nowPlayingLine } from './now-playing-card.js';
import { YouTubeNotConfigured, YouTubeUnavailable, type YouTubeApi } from './youtube-api.js';
import { videoIdOf } from './video-reference.js';

export interface ChatCommandDeps extends MusicStoreDeps {
  youtube: YouTubeApi;
  rateLimiter: RateLimiter;
  logger: Logger;
  moduleName: string;
  rules: QueueRules;
  searchCacheTtlSeconds: number;
  searchesPerMinute: number;
  playsPerMinute: number;
  /** `youtube_music_commands_total{subcommand,result}`. */
  commands: ReturnType<ServiceMetrics['counter']>;
}

const CHAT_LIMIT = 450;
const QUERY_MAX = 200;
const LISTED_RESULTS = 5;
const LISTED_QUEUE = 5;
/** A play reference of up to three digits is a search result number; an 11-char id never is. */
const RESULT_NUMBER = /^\d{1,3}$/;

const HELP =
  'YouTube Music: !ytmusic search <query> | play <url|video_id|result #> | current | queue | skip | stop';
const NO_MATCH = 'No track matches that reference';
const NOTHING_PLAYING = 'No track is currently playing';

/** What each command reports into `youtube_activity.details`, beside success and error code. */
type Details = Record<string, unknown>;

function clip(text: string): string {
  return text.length <= CHAT_LIMIT ? text : `${text.slice(0, CHAT_LIMIT - 1)}…`;
}

/** `1. Title - Channel (3:45) | 2. …`, cut at whole entries so the line fits in chat. */
function numberedList(head: string, lines: string[], more = 0): string {
  let text = head;
  for (let i = 0; i < lines.length; i++) {
    const entry = `${i > 0 ? ' | ' : ''}${lines[i]}`;
    if (text.length + entry.length > CHAT_LIMIT - 20) return `${text} …`;
    text += entry;
  }
  return more > 0 ? `${text} (+${more} more)` : text;
}

const trackLine = (n: number, t: { title: string; artist: string; duration: string }) =>
  `${n}. ${t.title}${t.artist ? ` - ${t.artist}` : ''} (${t.duration})`;

/** YouTube failures as the chat answers of interaction-modules §8 and contracts §17.4. */
async function upstream<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof YouTubeNotConfigured)
      throw new ModuleFailure(
        'NOT_CONNECTED',
        'YouTube Music is not connected: the bot owner has not set a YouTube API key',
        'YOUTUBE_API_KEY not set',
      );
    if (err instanceof YouTubeUnavailable)
      throw new ModuleFailure('UPSTREAM', 'YouTube is unavailable right now', err.reason);
    throw err;
  }
}

async function withinRate(
  deps: ChatCommandDeps,
  kind: 'search' | 'play',
  communityId: string,
  limit: number,
) {
  const decision = await deps.rateLimiter.hit(`youtube-music:${kind}:${communityId}`, limit, 60);
  if (!decision.allowed) throw new ModuleFailure('COOLDOWN', 'Slow down, try again in a moment');
}

function requesterOf(req: ModuleRequest): Requester {
  return {
    key: userKeyOf(req.user, req.platform),
    name: req.user.display_name || req.user.name,
  };
}

async function search(deps: ChatCommandDeps, req: ModuleRequest, details: Details) {
  const query = req.args.slice(1).join(' ').trim();
  if (!query) throw usage('Usage: !ytmusic search <query>');
  if (query.length > QUERY_MAX)
    throw new ModuleFailure('VALIDATION', `Search queries are limited to ${QUERY_MAX} characters`);
  details.query = query;
  await withinRate(deps, 'search', req.community_id, deps.searchesPerMinute);
  const results = await upstream(() => deps.youtube.search(query));
  await cacheSearch(
    deps,
    { communityId: req.community_id, userKey: requesterOf(req).key, query, results },
    deps.searchCacheTtlSeconds,
  );
  details.results = results.length;
  if (results.length === 0) return chatResponse(req, deps.moduleName, clip(`No results for '${query}'`));
  const lines = results.slice(0, LISTED_RESULTS).map((t, i) => trackLine(i + 1, t));
  return chatResponse(req, deps.moduleName, numberedList('YouTube Music Search Results: ', lines), {
    response_data: { query, results },
  });
}

/** The track a play reference names: a result of the caller's own latest search, or a video. */
async function resolveTrack(
  deps: ChatCommandDeps,
  req: ModuleRequest,
  reference: string,
): Promise<TrackSummary> {
  if (RESULT_NUMBER.test(reference)) {
    const n = Number(reference);
    const results = await latestSearch(
      deps,
      req.community_id,
      requesterOf(req).key,
      deps.searchCacheTtlSeconds,
    );
    const hit = n >= 1 ? results?.[n - 1] : undefined;
    if (!hit) throw new ModuleFailure('NOT_FOUND', NO_MATCH);
    return hit;
  }
  const videoId = videoIdOf(reference);
  if (!videoId)
    throw new ModuleFailure(
      'VALIDATION',
      'Invalid YouTube reference: give a youtube.com/watch?v= or youtu.be link, an 11-character video id or a search result number',
    );
  const track = await upstream(() => deps.youtube.track(videoId));
  if (!track) throw new ModuleFailure('NOT_FOUND', NO_MATCH);
  return track;
}

async function play(deps: ChatCommandDeps, req: ModuleRequest, details: Details): Promise<ModuleResponse> {
  const reference = req.args.slice(1).join(' ').trim();
  if (!reference) throw usage('Usage: !ytmusic play <url|video_id|result number>');
  details.reference = reference.slice(0, 200);
  await withinRate(deps, 'play', req.community_id, deps.playsPerMinute);
  const track = await resolveTrack(deps, req, reference);
  details.video_id = track.video_id;
  const outcome = await playOrQueue(deps, req.community_id, track, requesterOf(req), deps.rules);
  details.outcome = outcome.kind;
  switch (outcome.kind) {
    case 'playing':
      return chatResponse(req, deps.moduleName, clip(nowPlayingLine(outcome.track)), {
        response_data: { track },
        additional_responses: [mediaCard(outcome.track, CARD_SECONDS.play)],
      });
    case 'queued':
      return chatResponse(req, deps.moduleName, clip(`Queued #${outcome.rank}: ${track.title}`), {
        response_data: { queue_position: outcome.rank, track },
      });
    case 'queue_full':
      throw new ModuleFailure('CONFLICT', 'The queue is full');
    case 'user_limit': {
      const n = deps.rules.maxPerUser;
      throw new ModuleFailure('COOLDOWN', `You already have ${n} song${n === 1 ? '' : 's'} in the queue`);
    }
  }
}

async function current(deps: ChatCommandDeps, req: ModuleRequest): Promise<ModuleResponse> {
  const track = await nowPlaying(deps, req.community_id);
  if (!track) return chatResponse(req, deps.moduleName, NOTHING_PLAYING);
  const line = `${nowPlayingLine(track)} (${track.duration}), requested by ${track.requested_by_name}`;
  return chatResponse(req, deps.moduleName, clip(line), {
    additional_responses: [mediaCard(track, CARD_SECONDS.current)],
  });
}

async function queue(deps: ChatCommandDeps, req: ModuleRequest): Promise<ModuleResponse> {
  const { entries, total } = await queueEntries(deps, req.community_id, LISTED_QUEUE);
  if (total === 0) return chatResponse(req, deps.moduleName, 'The queue is empty');
  const lines = entries.map((e, i) => `${trackLine(i + 1, e)} [${e.requested_by_name}]`);
  return chatResponse(req, deps.moduleName, numberedList('Up next: ', lines, total - entries.length), {
    response_data: { total },
  });
}

async function skip(deps: ChatCommandDeps, req: ModuleRequest, details: Details): Promise<ModuleResponse> {
  const playing = await nowPlaying(deps, req.community_id);
  if (!playing) throw new ModuleFailure('NOT_FOUND', NOTHING_PLAYING);
  const isRequester = playing.requested_by === requesterOf(req).key;
  if (!isRequester && !hasRole(req.user_context.role, 'moderator')) throw forbidden('skip this track');
  details.skipped_video_id = playing.video_id;
  const outcome = await advance(deps, req.community_id, playing.video_id);
  switch (outcome.kind) {
    case 'playing':
      return chatResponse(
        req,
        deps.moduleName,
        clip(`Skipped ${playing.title}. ${nowPlayingLine(outcome.track)}`),
        { additional_responses: [mediaCard(outcome.track, CARD_SECONDS.play)] },
      );
    case 'stopped':
      return chatResponse(
        req,
        deps.moduleName,
        clip(`Skipped ${playing.title}. The queue is empty, playback stopped`),
      );
    case 'unchanged':
      // Someone else skipped or the track ended between the look-up and the skip.
      throw new ModuleFailure('CONFLICT', 'The track already changed; check !ytmusic current');
  }
}

async function stop(deps: ChatCommandDeps, req: ModuleRequest): Promise<ModuleResponse> {
  if (!hasRole(req.user_context.role, 'moderator')) throw forbidden('stop playback');
  await stopPlayback(deps, req.community_id);
  return chatResponse(req, deps.moduleName, 'Playback stopped');
}

async function dispatch(deps: ChatCommandDeps, req: ModuleRequest, sub: string, details: Details) {
  switch (sub) {
    case '':
    case 'help':
      return chatResponse(req, deps.moduleName, HELP);
    case 'search':
      return search(deps, req, details);
    case 'play':
      return play(deps, req, details);
    case 'current':
    case 'nowplaying':
    case 'np':
      return current(deps, req);
    case 'queue':
      return queue(deps, req);
    case 'skip':
      return skip(deps, req, details);
    case 'stop':
      return stop(deps, req);
    default:
      throw usage(clip(`Unknown subcommand: ${sub}. ${HELP}`));
  }
}

const KNOWN_SUBCOMMANDS = new Set([
  'help',
  'search',
  'play',
  'current',
  'nowplaying',
  'np',
  'queue',
  'skip',
  'stop',
]);

/** `!ytmusic` / `!youtube` (interaction-modules §8); every call leaves one `youtube_activity` row. */
export async function handleYouTubeMusicRequest(
  deps: ChatCommandDeps,
  req: ModuleRequest,
): Promise<ModuleResponse> {
  const sub = (req.args[0] ?? '').toLowerCase();
  const details: Details = {};
  let errorCode: string | null = null;
  try {
    return await dispatch(deps, req, sub, details);
  } catch (err) {
    errorCode = err instanceof ModuleFailure ? err.code : 'INTERNAL';
    throw err;
  } finally {
    const action = sub || 'help';
    // Metric labels stay bounded: whatever else people type counts as `unknown`.
    deps.commands.inc({
      subcommand: KNOWN_SUBCOMMANDS.has(action) ? action : 'unknown',
      result: errorCode ?? 'ok',
    });
    await recordActivity(deps, {
      communityId: req.community_id,
      userKey: requesterOf(req).key,
      action: action.slice(0, 40),
      details: { ...details, success: errorCode === null, error_code: errorCode, entity_id: req.entity_id },
    }).catch((err: unknown) =>
      deps.logger.warn('activity row not written', { error: err instanceof Error ? err.name : 'unknown' }),
    );
  }
}
