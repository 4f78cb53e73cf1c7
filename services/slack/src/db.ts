import type { ServerChannelTables } from '@waddlebot/core';
import type { Generated } from 'kysely';

export interface SlackTeamsTable {
  id: Generated<number>;
  team_id: string;
  team_name: string | null;
  team_domain: string | null;
  enterprise_id: string | null;
  is_active: boolean;
  gateway_id: string | null;
  config: Generated<unknown>;
  member_count: number | null;
  created_at: Date;
  updated_at: Date;
}

export interface SlackChannelsTable {
  id: Generated<number>;
  channel_id: string;
  channel_name: string | null;
  channel_type: string | null;
  team_id: number;
  is_monitored: boolean;
  is_archived: Generated<boolean>;
  created_at: Date;
  updated_at: Date;
}

export interface SlackEventsTable {
  id: Generated<number>;
  event_id: string;
  event_type: string;
  team_id: string | null;
  channel_id: string | null;
  user_id: string | null;
  user_name: string | null;
  event_data: unknown;
  processed: boolean;
  processed_at: Date | null;
  event_timestamp: Date | null;
  created_at: Date;
}

export interface SlackUsersTable {
  id: Generated<number>;
  user_id: string;
  team_id: string;
  username: string;
  real_name: string | null;
  display_name: string | null;
  is_bot: boolean;
  is_admin: boolean;
  is_owner: boolean;
  is_primary_owner: boolean;
  updated_at: Date;
}

export interface SlackDB {
  slack_teams: SlackTeamsTable;
  slack_channels: SlackChannelsTable;
  slack_events: SlackEventsTable;
  slack_users: SlackUsersTable;
}

/** The monitored-channel tables (contracts §17.5), as the migration creates and the store reads them. */
export const TEAM_TABLES: ServerChannelTables = {
  serverTable: 'slack_teams',
  serverKey: 'team_id',
  serverName: 'team_name',
  channelTable: 'slack_channels',
  channelServerRef: 'team_id',
};
