import {
  ModuleFailure,
  forbidden,
  hasRole,
  usage,
  type ActionFields,
  type Clock,
  type Logger,
  type Role,
} from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { ShoutoutConfigRow, ShoutoutDB, ShoutoutUserRow } from './db.js';
import { chooseTemplate, renderTemplate, type TemplateValues } from './message-template.js';
import { clipEmbedSrc, overlayCard, type CardLink, type CardVideo } from './overlay-card.js';
import { loadCommunityConfig, soPermissionRole } from './shoutout-config.js';
import { recordHistory } from './shoutout-history.js';
import { claimShoutout, ensureUser, findUser, normaliseLogin, rememberChannel } from './shoutout-users.js';
import type { ChannelLookup, TwitchChannelInfo, TwitchHelix } from './twitch-helix.js';
import { youtubeChannelOf, type ShortLookup, type YouTubeShorts } from './youtube-shorts.js';

export interface ShoutoutDeps {
  db: Kysely<ShoutoutDB>;
  clock: Clock;
  helix: TwitchHelix;
  youtube: YouTubeShorts;
  overlayParentDomain: string;
  logger: Logger;
}

export interface ShoutoutOutcome {
  login: string;
  chat: string;
  card: ActionFields;
  degraded: boolean;
  /** The clip or short the card plays, as recorded in the history. */
  videoUrl: string | null;
}

const twitchUrl = (login: string) => `https://twitch.tv/${login}`;
const USAGE = 'Usage: !so <username> or !shoutout <username>';

function linksFor(login: string, user: ShoutoutUserRow | undefined): CardLink[] {
  return [
    { label: 'Twitch', url: twitchUrl(login) },
    ...Object.entries(user?.additional_links ?? {}).map(([label, url]) => ({ label, url })),
  ];
}

function templateValues(login: string, channel: TwitchChannelInfo | null): TemplateValues {
  return {
    display_name: channel?.user.display_name ?? login,
    login: channel?.user.login ?? login,
    game_name: channel?.game_name ?? null,
    title: channel?.title ?? null,
    viewer_count: channel?.viewer_count ?? null,
    description: channel?.user.description ?? null,
  };
}

/** What the creator's look-ups found: Twitch always, YouTube only for the `youtube_short` display. */
interface CreatorLookup {
  twitch: ChannelLookup;
  channel: TwitchChannelInfo | null;
  short: ShortLookup | null;
  /** An upstream the card needed was unavailable, so the card is a fallback. */
  degraded: boolean;
}

/**
 * Runs the Twitch and YouTube look-ups side by side, so a shoutout waits for the slower one
 * rather than both. The YouTube channel comes from the creator's stored links.
 */
async function lookUpCreator(
  deps: ShoutoutDeps,
  config: ShoutoutConfigRow,
  login: string,
  stored: ShoutoutUserRow | undefined,
): Promise<CreatorLookup> {
  const youtubeChannel =
    config.display_type === 'youtube_short' ? youtubeChannelOf(stored?.additional_links ?? {}) : null;
  const [twitch, short] = await Promise.all([
    deps.helix.lookupChannel(login),
    youtubeChannel ? deps.youtube.latestShort(youtubeChannel) : Promise.resolve(null),
  ]);
  return {
    twitch,
    channel: twitch.status === 'found' ? twitch.channel : null,
    short,
    degraded: twitch.status === 'degraded' || short?.status === 'degraded',
  };
}

interface CardMedia {
  video: CardVideo | null;
  videoUrl: string | null;
  theme: 'youtube_short' | 'twitch_clip' | 'text';
  profileImageUrl: string | null;
}

/**
 * The card's video by display type: `youtube_short` plays the creator's latest short, `auto` and
 * `twitch_clip` a recent clip; whatever is not found falls back to the next (short → clip → text).
 */
function cardMedia(config: ShoutoutConfigRow, found: CreatorLookup, parentDomain: string): CardMedia {
  const profileImageUrl = config.show_profile_picture
    ? (found.channel?.user.profile_image_url ?? null)
    : null;
  if (config.display_type === 'youtube_short' && found.short?.status === 'found') {
    const { short } = found.short;
    return {
      video: { kind: 'youtube_short', src: short.embed_url },
      videoUrl: short.url,
      theme: 'youtube_short',
      profileImageUrl,
    };
  }
  const clip = config.display_type !== 'text' ? found.channel?.clip : null;
  const clipSrc = clip ? clipEmbedSrc(clip.embed_url, parentDomain) : null;
  if (clip && clipSrc) {
    return {
      video: { kind: 'twitch_clip', src: clipSrc },
      videoUrl: clip.url,
      theme: 'twitch_clip',
      profileImageUrl,
    };
  }
  return { video: null, videoUrl: null, theme: 'text', profileImageUrl };
}

export interface ManualShoutoutInput {
  communityId: string;
  entityId: string;
  role: Role;
  rawTarget: string | undefined;
  /** User key of the caller. */
  actor: string;
}

/** `!so <name>` (interaction-modules §4): ignores the cooldown but stamps `last_shoutout`. */
export async function giveShoutout(deps: ShoutoutDeps, input: ManualShoutoutInput): Promise<ShoutoutOutcome> {
  const config = await loadCommunityConfig(deps.db, input.communityId, deps.clock);
  if (!hasRole(input.role, soPermissionRole(config.so_permission))) throw forbidden('give shoutouts');
  const typed = (input.rawTarget ?? '').trim().replace(/^@+/, '');
  if (!typed) throw usage(USAGE);
  const login = normaliseLogin(typed);
  if (!login) throw new ModuleFailure('NOT_FOUND', `Could not find Twitch user '${typed.slice(0, 40)}'`);

  const stored = await findUser(deps.db, input.communityId, login);
  const found = await lookUpCreator(deps, config, login, stored);
  if (found.twitch.status === 'not_found')
    throw new ModuleFailure('NOT_FOUND', `Could not find Twitch user '${login}'`);
  const { channel } = found;
  const values = templateValues(login, channel);
  const template = chooseTemplate(
    {
      customMessage: stored?.custom_message ?? null,
      templateLive: config.template_live,
      templateOffline: config.template_offline,
    },
    values,
    channel?.live ?? false,
  );
  const chat = renderTemplate(template, values);
  const media = cardMedia(config, found, deps.overlayParentDomain);
  const card = overlayCard({
    kind: 'shoutout',
    theme: media.theme,
    duration: config.default_duration,
    title: `Shoutout to ${values.display_name}!`,
    message: chat,
    video: media.video,
    profileImageUrl: media.profileImageUrl,
    links: linksFor(values.login, stored),
  });

  await deps.db.transaction().execute(async (trx) => {
    const now = deps.clock.now();
    await ensureUser(trx, input.communityId, login, input.actor, now);
    const row = await claimShoutout(trx, input.communityId, login, now, null);
    if (row) await rememberChannel(trx, row.id, twitchUrl(login), values.game_name);
    await recordHistory(trx, {
      community_id: input.communityId,
      entity_id: input.entityId,
      username: login,
      triggered_by: input.actor,
      auto_shoutout: false,
      event_type: 'command',
      game_played: values.game_name,
      clip_url: media.videoUrl,
      message: chat,
      response_data: { display_type: media.theme, degraded: found.degraded, live: channel?.live ?? false },
      created_at: now,
    });
  });
  return { login, chat, card, degraded: found.degraded, videoUrl: media.videoUrl };
}

const AUTO_TITLES: Record<string, (name: string) => string> = {
  follow: (n) => `Thank you for following, ${n}!`,
  subscription: (n) => `Thank you for subscribing, ${n}!`,
  raid: (n) => `Thank you for the raid, ${n}!`,
};

export interface AutoShoutoutInput {
  communityId: string;
  entityId: string;
  eventType: string;
  targetName: string | undefined;
  targetDisplayName: string | undefined;
}

export type AutoShoutoutResult =
  | { fired: true; outcome: ShoutoutOutcome }
  | { fired: false; reason: 'not_triggered' | 'not_eligible' | 'cooldown' };

/** Auto-shoutout for a platform event, per the community's mode, triggers and per-target cooldown. */
export async function autoShoutout(
  deps: ShoutoutDeps,
  input: AutoShoutoutInput,
): Promise<AutoShoutoutResult> {
  const config = await loadCommunityConfig(deps.db, input.communityId, deps.clock);
  if (!config.auto_triggers.includes(input.eventType)) return { fired: false, reason: 'not_triggered' };
  if (config.auto_shoutout_mode === 'disabled') return { fired: false, reason: 'not_eligible' };
  const login = input.targetName ? normaliseLogin(input.targetName) : null;
  if (!login) return { fired: false, reason: 'not_eligible' };
  if (config.auto_shoutout_mode === 'list_only') {
    const listed = await findUser(deps.db, input.communityId, login);
    if (!listed?.auto_shoutout || !listed.is_active) return { fired: false, reason: 'not_eligible' };
  }

  const now = deps.clock.now();
  await ensureUser(deps.db, input.communityId, login, 'system', now);
  const claimed = await claimShoutout(deps.db, input.communityId, login, now, config.cooldown_minutes);
  if (!claimed) return { fired: false, reason: 'cooldown' };

  const found = await lookUpCreator(deps, config, login, claimed);
  const { channel } = found;
  const name = channel?.user.display_name ?? input.targetDisplayName ?? login;
  const title = (AUTO_TITLES[input.eventType] ?? ((n: string) => `Hi ${n}!`))(name);
  const body = channel?.game_name
    ? `Go see their channel; they stream ${channel.game_name}!`
    : 'Go see their channel!';
  const media = cardMedia(config, found, deps.overlayParentDomain);
  const card = overlayCard({
    kind: 'auto-shoutout',
    theme: media.theme,
    duration: config.default_duration,
    title,
    message: body,
    video: media.video,
    profileImageUrl: media.profileImageUrl,
    links: linksFor(login, claimed),
  });
  const chat = `${title} ${body} twitch.tv/${login}`;
  await rememberChannel(deps.db, claimed.id, twitchUrl(login), channel?.game_name ?? null);
  await recordHistory(deps.db, {
    community_id: input.communityId,
    entity_id: input.entityId,
    username: login,
    triggered_by: 'system',
    auto_shoutout: true,
    event_type: input.eventType,
    game_played: channel?.game_name ?? null,
    clip_url: media.videoUrl,
    message: chat,
    response_data: { display_type: media.theme, degraded: found.degraded, title },
    created_at: now,
  });
  return {
    fired: true,
    outcome: { login, chat, card, degraded: found.degraded, videoUrl: media.videoUrl },
  };
}
