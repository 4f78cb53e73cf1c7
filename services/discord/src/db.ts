import type { ServerChannelTables } from '@waddlebot/core';
import type { Generated } from 'kysely';

export interface DiscordGuildsTable {
  id: Generated<number>;
  guild_id: string;
  guild_name: string | null;
  owner_id: string | null;
  is_active: boolean;
  prefix: Generated<string>;
  welcome_channel: string | null;
  log_channel: string | null;
  gateway_id: string | null;
  config: Generated<unknown>;
  member_count: number | null;
  created_at: Date;
  updated_at: Date;
}

export interface DiscordChannelsTable {
  id: Generated<number>;
  channel_id: string;
  channel_name: string | null;
  channel_type: string | null;
  guild_id: number;
  is_monitored: boolean;
  webhook_url: string | null;
  config: Generated<unknown>;
  created_at: Date;
  updated_at: Date;
}

export interface DiscordEventsTable {
  id: Generated<number>;
  event_id: string;
  event_type: string;
  guild_id: string | null;
  channel_id: string | null;
  user_id: string | null;
  user_name: string | null;
  event_data: unknown;
  processed: boolean;
  processed_at: Date | null;
  created_at: Date;
}

export interface DiscordDB {
  discord_guilds: DiscordGuildsTable;
  discord_channels: DiscordChannelsTable;
  discord_events: DiscordEventsTable;
}

/** The monitored-channel tables (contracts §17.5), as the migration creates and the store reads them. */
export const GUILD_TABLES: ServerChannelTables = {
  serverTable: 'discord_guilds',
  serverKey: 'guild_id',
  serverName: 'guild_name',
  channelTable: 'discord_channels',
  channelServerRef: 'guild_id',
};
