import type { ColumnType, Generated, Selectable } from 'kysely';

export type AliasType = 'text' | 'command';

export interface AliasCommandsTable {
  id: Generated<number>;
  community_id: string;
  /** Lower-case name without prefix. */
  alias: string;
  alias_type: AliasType;
  template: string;
  /** User key (contracts §14) of the creator. */
  created_by: string | null;
  created_by_name: string | null;
  created_at: ColumnType<Date, Date, never>;
  updated_at: ColumnType<Date, Date, Date>;
  usage_count: Generated<number>;
  last_used: Date | null;
  is_active: Generated<boolean>;
}

export interface AliasDB {
  alias_commands: AliasCommandsTable;
}

export type AliasRow = Selectable<AliasCommandsTable>;
