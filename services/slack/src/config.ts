import { intVar, optionalString, receiverConfigShape, z, type CommonConfig } from '@waddlebot/core';

export const slackConfigShape = {
  ...receiverConfigShape,
  SLACK_BOT_TOKEN: optionalString(),
  SLACK_SIGNING_SECRET: optionalString(),
  SLACK_BOT_USER_ID: optionalString(),
  /** SSRF guard: `response_url` must point at one of these hosts (`host` or `host:port`). */
  SLACK_RESPONSE_URL_HOSTS: z
    .string()
    .default('hooks.slack.com')
    .transform((v) =>
      v
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter(Boolean),
    ),
  SLACK_MAX_SKEW_SECONDS: intVar(300, { min: 5, max: 3600 }),
};

export type SlackConfig = CommonConfig & {
  [K in keyof typeof slackConfigShape]: z.output<(typeof slackConfigShape)[K]>;
};

type Need = 'webhooks' | 'api';

const NEEDS: Record<Need, (keyof SlackConfig)[]> = {
  webhooks: ['SLACK_SIGNING_SECRET'],
  api: ['SLACK_BOT_TOKEN'],
};

export function missingSlackConfig(config: SlackConfig, need: Need): string[] {
  return NEEDS[need].filter((k) => !config[k]) as string[];
}
