import {
  defineService,
  mountChannelRoutes,
  mountSendRoute,
  pipelineOf,
  platformReadiness,
} from '@waddlebot/core';
import { missingSlackConfig, slackConfigShape } from './config.js';
import type { SlackDB } from './db.js';
import { migrations } from './migrations/index.js';
import { buildSlackReceiver } from './receiver.js';
import { mountWebhooks } from './routes/webhooks.js';

/** The Slack receiver (router-and-receivers §7): Events API, slash commands, interactivity. */
export const service = defineService<typeof slackConfigShape, SlackDB>({
  name: 'slack',
  config: slackConfigShape,
  migrations,
  requiresRedis: true,
  readiness: (deps) => [
    platformReadiness(() => [
      ...missingSlackConfig(deps.config, 'webhooks'),
      ...missingSlackConfig(deps.config, 'api'),
    ]),
  ],
  routes(app, deps) {
    const slack = buildSlackReceiver(deps);
    mountWebhooks(app, deps, slack);
    mountChannelRoutes(app, deps, {
      platform: 'slack',
      bodySchema: slack.teams.addChannelSchema(),
      store: slack.teams.channelRoutesStore(),
    });
    mountSendRoute(app, deps, { platform: 'slack', deliverer: () => slack.deliverer });
  },
  start(deps) {
    const missing = [
      ...missingSlackConfig(deps.config, 'webhooks'),
      ...missingSlackConfig(deps.config, 'api'),
    ];
    if (missing.length > 0) deps.logger.warn(`slack is not configured: set ${missing.join(', ')}`);
    return () => pipelineOf(deps).drain();
  },
});
