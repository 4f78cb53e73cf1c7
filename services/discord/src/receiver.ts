import { ServerChannelStore, receiverPipeline, type ServiceDeps } from '@waddlebot/core';
import type { DiscordConfig } from './config.js';
import { GUILD_TABLES, type DiscordDB } from './db.js';
import { DiscordApi } from './discord-api.js';
import { DiscordReplyDeliverer } from './delivery.js';
import { GuildRoleCache, discordPlatformRole, parsePermissions } from './guild-roles.js';

export type DiscordDeps = ServiceDeps<DiscordConfig, DiscordDB>;

/** The receiver's collaborators, built once from resolved deps. */
export function buildDiscordReceiver(deps: DiscordDeps) {
  const config = deps.config;
  const api = new DiscordApi(deps, config);
  const guilds = new ServerChannelStore(deps, 'discord', GUILD_TABLES);
  const roles = new GuildRoleCache(deps.state.kv);

  /** The stored owner of a guild (GUILD_CREATE), for interactions whose member has no owner flag. */
  async function ownerOf(guildId: string): Promise<string | null> {
    const cached = await roles.get(guildId);
    if (cached?.owner_id) return cached.owner_id;
    const row = await deps.db
      .selectFrom('discord_guilds')
      .select('owner_id')
      .where('guild_id', '=', guildId)
      .executeTakeFirst();
    return row?.owner_id ?? null;
  }

  return {
    config,
    api,
    guilds,
    roles,
    /** Interactions carry the member's computed permissions; ownership comes from the guild. */
    async interactionRole(guildId: string | undefined, userId: string, permissions: unknown) {
      if (!guildId) return undefined;
      return discordPlatformRole({
        isOwner: (await ownerOf(guildId)) === userId,
        permissions: parsePermissions(permissions),
      });
    },
    ownerOf,
    deliverer: new DiscordReplyDeliverer(api, {
      kv: deps.state.kv,
      clock: deps.clock,
      logger: deps.logger,
      monitoredGuilds: () => guilds.activeServerIds(),
    }),
    pipeline: receiverPipeline(deps, {
      platform: 'discord',
      eventTable: 'discord_events',
      dedupTtlSeconds: Math.max(config.DISCORD_MAX_SKEW_SECONDS * 2, 3600),
      retryDelaysMs: config.RECEIVER_RETRY_DELAYS_MS,
      // The interaction token lets anyone answer as the bot for 15 minutes.
      omitFromLog: ['token'],
    }),
    /** Gateway connection state, set by the gateway runner. */
    gatewayState: { connected: false },
  };
}

export type DiscordReceiver = ReturnType<typeof buildDiscordReceiver>;

const receivers = new WeakMap<object, DiscordReceiver>();

/** One receiver per service instance: routes, the gateway and tests share it. */
export function discordReceiver(deps: DiscordDeps): DiscordReceiver {
  let r = receivers.get(deps);
  if (!r) receivers.set(deps, (r = buildDiscordReceiver(deps)));
  return r;
}
