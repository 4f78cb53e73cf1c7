import type { ColumnType, Generated, Selectable } from 'kysely';

/** jsonb columns are written as JSON text (pg would send a JS array as a Postgres array). */
type Json<T> = ColumnType<T, string | undefined, string>;

/** core-and-admin §1.1. */
export interface LabelsTable {
  id: Generated<number>;
  name: string;
  category: string;
  description: string | null;
  color: string | null;
  icon: string | null;
  is_system: Generated<boolean>;
  created_by: string;
  created_at: ColumnType<Date, Date, never>;
  updated_at: ColumnType<Date, Date, Date>;
  is_active: Generated<boolean>;
}

export interface EntityLabelsTable {
  id: Generated<number>;
  entity_id: string;
  entity_type: string;
  label_id: number;
  /** Decimal community id; null = the assignment holds in every community. */
  community_id: string | null;
  applied_by: string;
  applied_at: Date;
  expires_at: Date | null;
  metadata: Json<Record<string, unknown>>;
  is_active: Generated<boolean>;
}

export interface AutoAssignRule {
  label_id: number;
}

export interface PlatformRoleGroupsTable {
  id: Generated<number>;
  /** The server/community on the platform (guild id, broadcaster id…). */
  entity_id: string;
  platform: string;
  group_type: string;
  /** The platform's role id. */
  group_id: string;
  group_name: string;
  auto_assign_rules: Json<AutoAssignRule[]>;
  is_auto_assign: Generated<boolean>;
  created_by: string;
  created_at: ColumnType<Date, Date, never>;
  updated_at: ColumnType<Date, Date, Date>;
  is_active: Generated<boolean>;
}

export interface PlatformRoleGroupMembersTable {
  id: Generated<number>;
  group_id: number;
  /** User key (contracts §14). */
  user_id: string;
  /** The user's id on the group's platform. */
  platform_id: string;
  assigned_by: string;
  assigned_reason: string;
  assigned_at: Date;
  expires_at: Date | null;
  is_active: Generated<boolean>;
}

export interface LabelsDB {
  labels: LabelsTable;
  entity_labels: EntityLabelsTable;
  platform_role_groups: PlatformRoleGroupsTable;
  platform_role_group_members: PlatformRoleGroupMembersTable;
}

export type LabelRow = Selectable<LabelsTable>;
export type PlatformRoleGroupRow = Selectable<PlatformRoleGroupsTable>;
