import { ServerChannelStore, receiverPipeline, type ServiceDeps } from '@waddlebot/core';
import type { SlackConfig } from './config.js';
import { TEAM_TABLES, type SlackDB } from './db.js';
import { SlackReplyDeliverer } from './delivery.js';
import { SlackApi } from './slack-api.js';
import { SlackUsers } from './users.js';

export type SlackDeps = ServiceDeps<SlackConfig, SlackDB>;

/** The receiver's collaborators, built once from resolved deps. */
export function buildSlackReceiver(deps: SlackDeps) {
  const config = deps.config;
  const api = new SlackApi(deps, config);
  const users = new SlackUsers(deps, api);
  return {
    config,
    api,
    users,
    teams: new ServerChannelStore(deps, 'slack', TEAM_TABLES),
    deliverer: new SlackReplyDeliverer(api, users, {
      httpClient: deps.httpClient,
      logger: deps.logger,
      responseUrlHosts: config.SLACK_RESPONSE_URL_HOSTS,
    }),
    pipeline: receiverPipeline(deps, {
      platform: 'slack',
      eventTable: 'slack_events',
      // Slack retries for up to about an hour; keep the claim longer than that.
      dedupTtlSeconds: Math.max(config.SLACK_MAX_SKEW_SECONDS * 2, 3 * 3600),
      retryDelaysMs: config.RECEIVER_RETRY_DELAYS_MS,
      // Legacy verification token and response URLs (a view submission carries a list) are
      // credentials, not history.
      omitFromLog: ['token', 'response_url', 'response_urls'],
    }),
  };
}

export type SlackReceiver = ReturnType<typeof buildSlackReceiver>;
