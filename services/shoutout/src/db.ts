import type { ColumnType, Generated, Selectable } from 'kysely';

export const DISPLAY_TYPES = ['auto', 'twitch_clip', 'youtube_short', 'text'] as const;
export type DisplayType = (typeof DISPLAY_TYPES)[number];
export const SO_PERMISSIONS = ['everyone', 'subscriber', 'vip', 'moderator', 'admin'] as const;
export type SoPermission = (typeof SO_PERMISSIONS)[number];
export const AUTO_MODES = ['disabled', 'list_only', 'all'] as const;
export type AutoMode = (typeof AUTO_MODES)[number];
/** The event types the `shoutout-auto` registry row subscribes to. */
export const AUTO_TRIGGERS = ['follow', 'subscription', 'raid'] as const;
export type AutoTrigger = (typeof AUTO_TRIGGERS)[number];

/** jsonb columns: written as JSON text, read back parsed. */
type Json<T> = ColumnType<T, string, string>;

export interface ShoutoutUsersTable {
  id: Generated<number>;
  community_id: string;
  /** Twitch login, lower-case. */
  username: string;
  platform: Generated<string>;
  profile_url: string | null;
  last_game: string | null;
  custom_message: string | null;
  additional_links: Json<Record<string, string>>;
  auto_shoutout: Generated<boolean>;
  shoutout_count: Generated<number>;
  last_shoutout: Date | null;
  /** User key (contracts §14) of whoever first created the row. */
  created_by: string | null;
  created_at: ColumnType<Date, Date, never>;
  updated_at: ColumnType<Date, Date, Date>;
  is_active: Generated<boolean>;
}

export interface ShoutoutHistoryTable {
  id: Generated<number>;
  community_id: string;
  entity_id: string | null;
  username: string;
  platform: string;
  /** User key of the caller, or `system` for auto-shoutouts. */
  triggered_by: string;
  auto_shoutout: boolean;
  event_type: string;
  game_played: string | null;
  clip_url: string | null;
  message: string;
  response_data: Json<Record<string, unknown>>;
  created_at: ColumnType<Date, Date, never>;
}

export interface ShoutoutConfigTable {
  community_id: string;
  display_type: DisplayType;
  default_duration: number;
  show_profile_picture: boolean;
  so_permission: SoPermission;
  auto_shoutout_mode: AutoMode;
  auto_triggers: string[];
  cooldown_minutes: number;
  template_live: string | null;
  template_offline: string | null;
  created_at: ColumnType<Date, Date, never>;
  updated_at: ColumnType<Date, Date, Date>;
}

export interface ShoutoutDB {
  shoutout_users: ShoutoutUsersTable;
  shoutout_history: ShoutoutHistoryTable;
  shoutout_config: ShoutoutConfigTable;
}

export type ShoutoutUserRow = Selectable<ShoutoutUsersTable>;
export type ShoutoutHistoryRow = Selectable<ShoutoutHistoryTable>;
export type ShoutoutConfigRow = Selectable<ShoutoutConfigTable>;
