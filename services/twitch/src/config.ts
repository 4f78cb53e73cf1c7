import { intVar, optionalString, receiverConfigShape, z } from '@waddlebot/core';

export const twitchConfigShape = {
  ...receiverConfigShape,
  TWITCH_CLIENT_ID: optionalString(),
  TWITCH_CLIENT_SECRET: optionalString(),
  /** EventSub requires 10–100 ASCII characters. */
  TWITCH_EVENTSUB_SECRET: optionalString().refine((v) => v === undefined || /^[\x21-\x7e]{10,100}$/.test(v), {
    message: 'must be 10-100 printable ASCII characters',
  }),
  TWITCH_WEBHOOK_CALLBACK_URL: optionalString(),
  TWITCH_REDIRECT_URI: optionalString(),
  TWITCH_BOT_USER_ID: optionalString(),
  /** Key for tokens at rest; derived from SERVICE_API_KEY when unset. */
  TWITCH_TOKEN_ENCRYPTION_KEY: optionalString(),
  EVENTSUB_MAX_AGE_SECONDS: intVar(600, { min: 30, max: 3600 }),
  OAUTH_STATE_TTL: intVar(600, { min: 60, max: 3600 }),
};

export type TwitchConfig = import('@waddlebot/core').CommonConfig & {
  [K in keyof typeof twitchConfigShape]: z.output<(typeof twitchConfigShape)[K]>;
};

/** Twitch rejects timestamps this far ahead of our clock as replays-in-waiting (§5.1 step 3). */
export const EVENTSUB_MAX_FUTURE_SECONDS = 60;

type Need = 'webhook' | 'api' | 'subscriptions' | 'oauth';

const NEEDS: Record<Need, (keyof TwitchConfig)[]> = {
  webhook: ['TWITCH_EVENTSUB_SECRET'],
  api: ['TWITCH_CLIENT_ID', 'TWITCH_CLIENT_SECRET'],
  subscriptions: [
    'TWITCH_CLIENT_ID',
    'TWITCH_CLIENT_SECRET',
    'TWITCH_EVENTSUB_SECRET',
    'TWITCH_WEBHOOK_CALLBACK_URL',
  ],
  oauth: ['TWITCH_CLIENT_ID', 'TWITCH_CLIENT_SECRET', 'TWITCH_REDIRECT_URI'],
};

/** The variables a feature still lacks (contracts §17.4 names them in the 503). */
export function missingTwitchConfig(config: TwitchConfig, need: Need): string[] {
  return NEEDS[need].filter((k) => !config[k]) as string[];
}
