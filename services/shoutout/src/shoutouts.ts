import {
  ModuleFailure,
  forbidden,
  hasRole,
  type ActionFields,
  type Clock,
  type Logger,
  type Role,
} from '@waddlebot/core';
import type { Kysely } from 'kysely';
import type { ShoutoutConfigRow, ShoutoutDB, ShoutoutUserRow } from './db.js';
import { chooseTemplate, renderTemplate, type TemplateValues } from './message-template.js';
import { clipEmbedSrc, overlayCard, type CardLink } from './overlay-card.js';
import { loadCommunityConfig, soPermissionRole } from './shoutout-config.js';
import { recordHistory } from './shoutout-history.js';
import { claimShoutout, ensureUser, findUser, normaliseLogin, rememberChannel } from './shoutout-users.js';
import type { ChannelLookup, TwitchChannelInfo, TwitchHelix } from './twitch-helix.js';

export interface ShoutoutDeps {
  db: Kysely<ShoutoutDB>;
  clock: Clock;
  helix: TwitchHelix;
  overlayParentDomain: string;
  logger: Logger;
}

export interface ShoutoutOutcome {
  login: string;
  chat: string;
  card: ActionFields;
  degraded: boolean;
  clipUrl: string | null;
}

const twitchUrl = (login: string) => `https://twitch.tv/${login}`;

function linksFor(login: string, user: ShoutoutUserRow | undefined): CardLink[] {
  return [
    { label: 'Twitch', url: twitchUrl(login) },
    ...Object.entries(user?.additional_links ?? {}).map(([label, url]) => ({ label, url })),
  ];
}

function templateValues(
  login: string,
  channel: TwitchChannelInfo | null,
  fallbackName: string,
): TemplateValues {
  return {
    display_name: channel?.user.display_name ?? fallbackName,
    login: channel?.user.login ?? login,
    game_name: channel?.game_name ?? null,
    title: channel?.title ?? null,
    viewer_count: channel?.viewer_count ?? null,
    description: channel?.user.description ?? null,
  };
}

/** `auto` (and the optional `youtube_short`, not built in v1) show a clip when one was found. */
function cardMedia(config: ShoutoutConfigRow, channel: TwitchChannelInfo | null, parentDomain: string) {
  const clipSrc =
    config.display_type !== 'text' && channel?.clip
      ? clipEmbedSrc(channel.clip.embed_url, parentDomain)
      : null;
  return {
    clipSrc,
    theme: clipSrc ? 'twitch_clip' : 'text',
    profileImageUrl: config.show_profile_picture ? (channel?.user.profile_image_url ?? null) : null,
  };
}

function channelOf(lookup: ChannelLookup): TwitchChannelInfo | null {
  return lookup.status === 'found' ? lookup.channel : null;
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
  if (!input.rawTarget?.trim())
    throw new ModuleFailure('USAGE', 'Usage: !so <username> or !shoutout <username>');
  const login = normaliseLogin(input.rawTarget);
  const shown = input.rawTarget.trim().replace(/^@/, '').slice(0, 40);
  if (!login) throw new ModuleFailure('NOT_FOUND', `Could not find Twitch user '${shown}'`);

  const lookup = await deps.helix.lookupChannel(login);
  if (lookup.status === 'not_found')
    throw new ModuleFailure('NOT_FOUND', `Could not find Twitch user '${login}'`);
  const channel = channelOf(lookup);
  const stored = await findUser(deps.db, input.communityId, login);
  const values = templateValues(login, channel, login);
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
  const media = cardMedia(config, channel, deps.overlayParentDomain);
  const card = overlayCard({
    kind: 'shoutout',
    theme: media.theme,
    duration: config.default_duration,
    title: `Shoutout to ${values.display_name}!`,
    message: chat,
    clipSrc: media.clipSrc,
    profileImageUrl: media.profileImageUrl,
    links: linksFor(values.login, stored),
  });
  const clipUrl = media.clipSrc ? (channel?.clip?.url ?? null) : null;

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
      clip_url: clipUrl,
      message: chat,
      response_data: {
        display_type: media.theme,
        degraded: lookup.status === 'degraded',
        live: channel?.live ?? false,
      },
      created_at: now,
    });
  });
  return { login, chat, card, degraded: lookup.status === 'degraded', clipUrl };
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

  const lookup = await deps.helix.lookupChannel(login);
  const channel = channelOf(lookup);
  const name = channel?.user.display_name ?? input.targetDisplayName ?? login;
  const title = (AUTO_TITLES[input.eventType] ?? ((n: string) => `Hi ${n}!`))(name);
  const body = channel?.game_name
    ? `Go see their channel; they stream ${channel.game_name}!`
    : 'Go see their channel!';
  const media = cardMedia(config, channel, deps.overlayParentDomain);
  const card = overlayCard({
    kind: 'auto-shoutout',
    theme: media.theme,
    duration: config.default_duration,
    title,
    message: body,
    clipSrc: media.clipSrc,
    profileImageUrl: media.profileImageUrl,
    links: linksFor(login, claimed),
  });
  const chat = `${title} ${body} twitch.tv/${login}`;
  const clipUrl = media.clipSrc ? (channel?.clip?.url ?? null) : null;
  await rememberChannel(deps.db, claimed.id, twitchUrl(login), channel?.game_name ?? null);
  await recordHistory(deps.db, {
    community_id: input.communityId,
    entity_id: input.entityId,
    username: login,
    triggered_by: 'system',
    auto_shoutout: true,
    event_type: input.eventType,
    game_played: channel?.game_name ?? null,
    clip_url: clipUrl,
    message: chat,
    response_data: { display_type: media.theme, degraded: lookup.status === 'degraded', title },
    created_at: now,
  });
  return { fired: true, outcome: { login, chat, card, degraded: lookup.status === 'degraded', clipUrl } };
}
