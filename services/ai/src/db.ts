import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

/** Per-community overrides of the env defaults; a null column means "use the env value". */
export interface CommunitySettingsTable {
  community_id: string;
  system_prompt: string | null;
  model: string | null;
  temperature: number | null;
  max_tokens: number | null;
  response_prefix: string | null;
  passive_chat: boolean | null;
  event_types: string[] | null;
  updated_by: string | null;
  updated_at: Timestamp;
}

export interface AiDB {
  ai_community_settings: CommunitySettingsTable;
}
