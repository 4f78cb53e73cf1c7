import { createRoute, z } from '@hono/zod-openapi';
import { UpstreamError, mountChannelRoutes, notConfiguredError, ok, sql, type App } from '@waddlebot/core';
import { APPLICATION_COMMANDS } from '../commands.js';
import { missingDiscordConfig } from '../config.js';
import type { DiscordDeps, DiscordReceiver } from '../receiver.js';

const Envelope = z.object({ success: z.literal(true), data: z.unknown() });
const json = (description: string) => ({
  description,
  content: { 'application/json': { schema: Envelope } },
});

/** Status, guild list, command sync and the monitored-channel API (§6.2 "Other endpoints", contracts §17.5). */
export function mountAdminRoutes(app: App, deps: DiscordDeps, discord: DiscordReceiver) {
  mountChannelRoutes(app, deps, {
    platform: 'discord',
    bodySchema: discord.guilds.addChannelSchema(),
    store: discord.guilds.channelRoutesStore(),
  });

  app.openapi(
    createRoute({
      method: 'get',
      path: '/discord/status',
      // Like /readyz: a connection flag and a count, no credential needed (§6.2 marks only
      // /discord/guilds and the command sync as admin).
      responses: { 200: json('gateway state') },
    }),
    async (c) => {
      const row = await deps.db
        .selectFrom('discord_guilds')
        .select(sql<number>`count(*)`.as('n'))
        .where('is_active', '=', true)
        .executeTakeFirstOrThrow();
      return ok(c, {
        gateway_connected: discord.gatewayState.connected,
        guild_count: Number(row.n),
      }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/discord/guilds',
      middleware: [deps.auth.require('service')],
      responses: { 200: json('known guilds') },
    }),
    async (c) =>
      ok(c, await deps.db.selectFrom('discord_guilds').selectAll().orderBy('id').execute()) as never,
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/discord/commands/sync',
      middleware: [deps.auth.require('service')],
      responses: { 200: json('synced commands') },
    }),
    async (c) => {
      const missing = missingDiscordConfig(discord.config, 'commands');
      if (missing.length > 0) throw notConfiguredError('discord', missing);
      const res = await discord.api.asBot<{ id: string; name: string }[]>(
        `/applications/${discord.config.DISCORD_APPLICATION_ID}/commands`,
        { method: 'PUT', body: APPLICATION_COMMANDS },
      );
      if (!res.ok) throw new UpstreamError(`Discord answered ${res.status}`);
      deps.logger.audit({ action: 'discord_commands_sync', result: 'SUCCESS' });
      const synced = Array.isArray(res.body) ? res.body.map((cmd) => ({ id: cmd.id, name: cmd.name })) : [];
      return ok(c, { commands: synced }) as never;
    },
  );
}
