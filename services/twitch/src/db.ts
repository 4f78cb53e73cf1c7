import type { Generated } from 'kysely';

export interface TwitchTokensTable {
  id: Generated<number>;
  user_id: string;
  login: string | null;
  /** AES-GCM ciphertext (TokenCipher of libs/core), never the token itself. */
  access_token: string;
  refresh_token: string | null;
  expires_at: Date | null;
  scopes: string[];
  is_bot: boolean;
  created_at: Date;
  updated_at: Date;
}

export interface TwitchChannelsTable {
  id: Generated<number>;
  broadcaster_id: string;
  channel_name: string;
  is_active: boolean;
  gateway_id: string | null;
  created_at: Date;
  updated_at: Date;
}

export interface TwitchSubscriptionsTable {
  id: Generated<number>;
  subscription_id: string;
  channel_id: number | null;
  event_type: string;
  version: string;
  status: string;
  cost: number;
  created_at: Date;
  updated_at: Date;
}

export interface TwitchEventsTable {
  id: Generated<number>;
  event_id: string;
  subscription_id: string | null;
  event_type: string;
  broadcaster_user_id: string | null;
  broadcaster_user_name: string | null;
  user_id: string | null;
  user_name: string | null;
  event_data: unknown;
  processed: boolean;
  processed_at: Date | null;
  created_at: Date;
}

export interface TwitchDB {
  twitch_tokens: TwitchTokensTable;
  twitch_channels: TwitchChannelsTable;
  twitch_subscriptions: TwitchSubscriptionsTable;
  twitch_events: TwitchEventsTable;
}
