import type { ColumnType, Generated } from 'kysely';

/** numeric(10,4) columns come back from Postgres as strings; written as numbers or strings. */
type Numeric = ColumnType<string, number | string, number | string>;
/** jsonb columns are written as JSON text (pg would send a JS array as a Postgres array). */
type Json<T> = ColumnType<T, string, string>;

/** core-and-admin §5.2; every `user_id` is a user key (contracts §14). */
export interface ReputationScoringTable {
  id: Generated<number>;
  event_name: string;
  event_score: Numeric;
  community_id: number;
  is_active: Generated<boolean>;
  description: string | null;
  created_by: string;
  created_at: ColumnType<Date, Date, never>;
  updated_at: ColumnType<Date, Date, Date>;
}

export interface UserReputationTable {
  id: Generated<number>;
  user_id: string;
  community_id: number;
  current_score: Numeric;
  total_events: number;
  last_activity: Date | null;
  created_at: ColumnType<Date, Date, never>;
  updated_at: ColumnType<Date, Date, Date>;
}

export interface ReputationEventsTable {
  id: Generated<number>;
  user_id: string;
  community_id: number;
  entity_id: string | null;
  event_name: string;
  /** The delta applied, before clamping to the score range. */
  event_score: Numeric;
  previous_score: Numeric;
  new_score: Numeric;
  event_data: Json<Record<string, unknown>>;
  processed_at: Date;
}

export interface ReputationDB {
  reputation_scoring: ReputationScoringTable;
  user_reputation: UserReputationTable;
  reputation_events: ReputationEventsTable;
}
