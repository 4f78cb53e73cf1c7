import { defineService, mountSendRoute, platformReadiness } from '@waddlebot/core';
import { discordConfigShape, missingDiscordConfig } from './config.js';
import type { DiscordDB } from './db.js';
import { DiscordDispatchHandler } from './gateway.js';
import { runGateway } from './gateway-connection.js';
import { migrations } from './migrations/index.js';
import { discordReceiver } from './receiver.js';
import { mountAdminRoutes } from './routes/admin.js';
import { mountInteractions } from './routes/interactions.js';

const dispatchHandlers = new WeakMap<object, DiscordDispatchHandler>();

/** The dispatch handler of a running Discord receiver (tests drive the gateway mapping through it). */
export function discordDispatch(deps: object): DiscordDispatchHandler {
  const handler = dispatchHandlers.get(deps);
  if (!handler) throw new Error('discord receiver not started for these deps');
  return handler;
}

/** The Discord receiver (router-and-receivers §6): interactions over HTTP, chat from the gateway. */
export const service = defineService<typeof discordConfigShape, DiscordDB>({
  name: 'discord',
  config: discordConfigShape,
  migrations,
  requiresRedis: true,
  readiness: (deps) => [
    platformReadiness(() => [
      ...missingDiscordConfig(deps.config, 'interactions'),
      ...missingDiscordConfig(deps.config, 'bot'),
    ]),
  ],
  routes(app, deps) {
    const discord = discordReceiver(deps);
    dispatchHandlers.set(deps, new DiscordDispatchHandler(deps, discord));
    mountInteractions(app, deps, discord);
    mountAdminRoutes(app, deps, discord);
    mountSendRoute(app, deps, { platform: 'discord', deliverer: () => discord.deliverer });
  },
  start(deps) {
    const missing = [
      ...missingDiscordConfig(deps.config, 'interactions'),
      ...missingDiscordConfig(deps.config, 'bot'),
    ];
    if (missing.length > 0) deps.logger.warn(`discord is not configured: set ${missing.join(', ')}`);
    const receiver = discordReceiver(deps);
    const stopGateway =
      deps.config.DISCORD_GATEWAY_ENABLED && deps.config.DISCORD_BOT_TOKEN
        ? runGateway(deps, receiver, discordDispatch(deps))
        : undefined;
    return async () => {
      await stopGateway?.();
      await receiver.pipeline.drain();
    };
  },
});
