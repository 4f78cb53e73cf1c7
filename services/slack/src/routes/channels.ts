import { mountChannelRoutes, z, type App } from '@waddlebot/core';
import type { SlackDeps, SlackReceiver } from '../receiver.js';

const SlackId = z.string().regex(/^[A-Za-z0-9]{1,32}$/, 'must be a Slack id');
export const AddSlackChannelSchema = z.object({
  team_id: SlackId,
  channel_id: SlackId.optional(),
  team_name: z.string().max(100).optional(),
});

/** `/slack/api/channels` (contracts §17.5). */
export function mountChannels(app: App, deps: SlackDeps, slack: SlackReceiver) {
  mountChannelRoutes(app, deps, {
    platform: 'slack',
    bodySchema: AddSlackChannelSchema,
    store: {
      list: () => slack.teams.list(),
      add: (b) => slack.teams.add(b.team_id, b.channel_id, b.team_name ? { team_name: b.team_name } : {}),
      remove: (id) => slack.teams.remove(id),
    },
  });
}
