import {
  boolVar,
  intVar,
  optionalString,
  receiverConfigShape,
  type CommonConfig,
  type z,
} from '@waddlebot/core';

export const discordConfigShape = {
  ...receiverConfigShape,
  DISCORD_BOT_TOKEN: optionalString(),
  DISCORD_APPLICATION_ID: optionalString().refine((v) => v === undefined || /^\d{1,32}$/.test(v), {
    message: 'must be a Discord snowflake',
  }),
  DISCORD_PUBLIC_KEY: optionalString().refine((v) => v === undefined || /^[0-9a-fA-F]{64}$/.test(v), {
    message: 'must be 64 hex characters',
  }),
  DISCORD_GATEWAY_ENABLED: boolVar(true),
  DISCORD_MAX_SKEW_SECONDS: intVar(300, { min: 5, max: 3600 }),
  DISCORD_ALLOW_DMS: boolVar(false),
};

export type DiscordConfig = CommonConfig & {
  [K in keyof typeof discordConfigShape]: z.output<(typeof discordConfigShape)[K]>;
};

type Need = 'interactions' | 'bot' | 'commands';

const NEEDS: Record<Need, (keyof DiscordConfig)[]> = {
  interactions: ['DISCORD_PUBLIC_KEY'],
  bot: ['DISCORD_BOT_TOKEN'],
  commands: ['DISCORD_BOT_TOKEN', 'DISCORD_APPLICATION_ID'],
};

export function missingDiscordConfig(config: DiscordConfig, need: Need): string[] {
  return NEEDS[need].filter((k) => !config[k]) as string[];
}
