import type { ColumnType, Generated } from 'kysely';
import type { SourceType } from './source-types.js';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface BrowserSourceTokensTable {
  id: Generated<number>;
  community_id: number;
  source_type: SourceType;
  token: string;
  is_active: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface BrowserSourceHistoryTable {
  id: Generated<number>;
  community_id: number;
  source_type: SourceType;
  /** The normalised display_data (defaults applied, HTML sanitised). */
  content: Json<Record<string, unknown>>;
  session_id: string | null;
  module_name: string | null;
  duration: number;
  created_at: Timestamp;
}

export interface BrowserSourceAccessLogTable {
  id: Generated<number>;
  community_id: number;
  source_type: SourceType;
  ip_address: string | null;
  user_agent: string | null;
  referer: string | null;
  accessed_at: Timestamp;
}

export interface BrowserSourceSettingsTable {
  id: Generated<number>;
  community_id: number;
  ticker_enabled: Generated<boolean>;
  ticker_speed: Generated<number>;
  ticker_style: Json<Record<string, unknown>>;
  media_enabled: Generated<boolean>;
  media_auto_hide: Generated<boolean>;
  media_style: Json<Record<string, unknown>>;
  general_enabled: Generated<boolean>;
  general_style: Json<Record<string, unknown>>;
  theme: Generated<string>;
  custom_css: string | null;
  updated_at: Timestamp;
}

export interface BrowserSourceDB {
  browser_source_tokens: BrowserSourceTokensTable;
  browser_source_history: BrowserSourceHistoryTable;
  browser_source_access_log: BrowserSourceAccessLogTable;
  browser_source_settings: BrowserSourceSettingsTable;
}
