import type { ColumnType, Generated, Selectable } from 'kysely';
import type { Role } from '@waddlebot/core';

/** jsonb columns are written as JSON text (pg would send a JS array as a Postgres array). */
type Json<T> = ColumnType<T, string, string>;

export interface CommunitySettings {
  is_global: boolean;
  auto_join: boolean;
  public: boolean;
  allow_user_invite: boolean;
  allow_entity_management: boolean;
}

/** core-and-admin §4.1. The router reads these four tables read-only (§0.7), so columns stay as specified. */
export interface CommunitiesTable {
  id: Generated<number>;
  name: string;
  description: string | null;
  is_active: Generated<boolean>;
  settings: Json<CommunitySettings>;
  /** User keys with an active `owner` row in community_rbac, kept in sync with them. */
  owners: Json<string[]>;
  created_by: string | null;
  created_at: ColumnType<Date, Date, never>;
  updated_at: ColumnType<Date, Date, Date>;
}

export interface EntityGroupsTable {
  id: Generated<number>;
  /** `<platform>:<server_id>` */
  name: string;
  platform: string;
  server_id: string;
  entity_ids: Json<string[]>;
  community_id: number;
  is_active: Generated<boolean>;
  created_by: string | null;
  created_at: ColumnType<Date, Date, never>;
  updated_at: ColumnType<Date, Date, Date>;
}

export interface CommunityMembershipsTable {
  id: Generated<number>;
  community_id: number;
  /** User key (contracts §14). */
  user_id: string;
  joined_at: Date;
  is_active: Generated<boolean>;
  invited_by: string | null;
}

export interface CommunityRbacTable {
  id: Generated<number>;
  community_id: number;
  user_id: string;
  role: Role;
  /** Extra grants on top of the role's own (contracts §4), normally empty. */
  permissions: Json<string[]>;
  assigned_by: string | null;
  assigned_at: Date;
  is_active: Generated<boolean>;
}

export interface UserContextTable {
  id: Generated<number>;
  user_id: string;
  entity_id: string;
  current_community_id: number;
  set_at: Date;
  expires_at: Date;
}

export interface CommunityDB {
  communities: CommunitiesTable;
  entity_groups: EntityGroupsTable;
  community_memberships: CommunityMembershipsTable;
  community_rbac: CommunityRbacTable;
  user_context: UserContextTable;
}

export type CommunityRow = Selectable<CommunitiesTable>;
export type EntityGroupRow = Selectable<EntityGroupsTable>;
export type MembershipRow = Selectable<CommunityMembershipsTable>;
export type RbacRow = Selectable<CommunityRbacTable>;
