import { defineService, mountSendRoute, pipelineOf, platformReadiness } from '@waddlebot/core';
import { missingTwitchConfig, twitchConfigShape } from './config.js';
import type { TwitchDB } from './db.js';
import { migrations } from './migrations/index.js';
import { buildTwitchReceiver } from './receiver.js';
import { mountApiRoutes } from './routes/api.js';
import { mountAuthRoutes } from './routes/auth.js';
import { mountWebhook } from './routes/webhook.js';

/** The Twitch receiver (router-and-receivers §5): EventSub in, Helix out. */
export const service = defineService<typeof twitchConfigShape, TwitchDB>({
  name: 'twitch',
  config: twitchConfigShape,
  migrations,
  requiresRedis: true,
  readiness: (deps) => [
    platformReadiness(() => [
      ...missingTwitchConfig(deps.config, 'webhook'),
      ...missingTwitchConfig(deps.config, 'api'),
    ]),
  ],
  routes(app, deps) {
    const twitch = buildTwitchReceiver(deps);
    mountWebhook(app, deps, twitch);
    mountAuthRoutes(app, deps, twitch);
    mountApiRoutes(app, deps, twitch);
    mountSendRoute(app, deps, { platform: 'twitch', deliverer: () => twitch.deliverer });
  },
  start(deps) {
    const missing = missingTwitchConfig(deps.config, 'webhook');
    if (missing.length > 0)
      deps.logger.warn(`twitch is not configured: set ${missing.join(', ')}; webhooks answer 503`);
    return () => pipelineOf(deps).drain();
  },
});
